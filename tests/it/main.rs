mod themes;
