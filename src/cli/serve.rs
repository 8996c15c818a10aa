//! `gyokaku serve`: the local web app over an index (see `web`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::cli::Progress;
use crate::output;
use crate::web::{DEFAULT_BIND, ServeOptions, Server, WebError};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The index to serve.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// Address and port to listen on. Loopback by default: anything else serves the plans to
    /// the network, with a warning. Port 0 picks a free port.
    #[arg(long, default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Open the app in the default browser.
    #[arg(long)]
    pub open: bool,
}

pub fn run(args: ServeArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    if !args.bind.ip().is_loopback() {
        output::warning(&format!(
            "listening on {}, not on loopback: anyone who can reach this machine can read the indexed plans",
            args.bind
        ));
    }
    let options = ServeOptions { index_dir: args.index.clone(), bind: args.bind };
    let server = Server::bind(&options)
        .map_err(|err| match err {
            // Kept as the index's own error, so that `report_error` can hint at `ingest`.
            WebError::Index(err) => anyhow::Error::new(err),
            other => anyhow::Error::new(other),
        })
        .with_context(|| format!("serving the index `{}`", args.index.display()))?;
    let addr = server.local_addr()?;
    let url = format!("http://{addr}/");
    // Always printed, even with --quiet: it is how the user (or a test) finds the app.
    output::message(&format!(
        "gyokaku serve: {url} (index `{}`; {}; Ctrl-C stops)",
        args.index.display(),
        server.reuse_note()
    ));
    let _ = progress;
    if args.open {
        open_browser(&url);
    }
    server.run()?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` with the desktop's opener; failing to is only a warning (the URL is printed).
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if let Err(err) = std::process::Command::new(opener).arg(url).spawn() {
        output::warning(&format!("cannot open a browser ({opener}: {err}); open {url} yourself"));
    }
}
