//! Theme mapping onto the common taxonomy (issue 5 fills this in).
