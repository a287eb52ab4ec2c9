//! Crash-test child: the real backend on a fixed address and data directory, until SIGKILLed.
//!
//! Usage: server_child ADDR DATA_DIR

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, dir] = &args[..] else {
        eprintln!("usage: server_child ADDR DATA_DIR");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let _server = highlights_server::serve::start_with(
            addr.parse().unwrap(),
            std::path::Path::new(dir),
            // The crash suite is about acknowledged writes, not media.
            highlights_server::serve::ServeOptions::posting_without_videos().replaying(),
        )
        .await
        .unwrap();
        println!("READY");
        std::future::pending::<()>().await;
    });
}
