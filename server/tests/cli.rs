//! The binary as an operator meets it: `--help` and `--version` answer without starting, and a
//! configuration mistake stops it with exit status 2 and a line naming the variable, before it
//! opens a database or a port. Each run has a clean environment and its own directory.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pasarela-server");

/// A directory of its own (the working directory, where a database or key file would appear).
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("pasarela-cli-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn files(&self) -> Vec<String> {
        std::fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The service with only `PATH`, a free port, a database in `dir`, and `env`.
fn command(dir: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PASARELA_LISTEN", "127.0.0.1:0")
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.0.join("pasarela.db").display()))
        .envs(env.iter().copied())
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs to its end; a service that started instead (it would never end) fails the test.
fn run(args: &[&str], env: &[(&str, &str)]) -> (Run, Vec<String>) {
    let dir = Scratch::new("run");
    let mut child = command(&dir, args, env).spawn().expect("the binary runs");
    // Read while it runs: an answer over the pipe's buffer (the OpenAPI document, 64 KiB and
    // more) would otherwise block the child on its write until the deadline.
    let (stdout, stderr) = (reader(child.stdout.take()), reader(child.stderr.take()));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("pasarela-server {args:?} with {env:?} is still running: {}", stdout.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run { code: status.code().expect("an exit status"), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() };
    (run, dir.files())
}

/// A thread reading the pipe to its end.
fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || read(pipe))
}

fn read(pipe: Option<impl Read>) -> String {
    let mut text = String::new();
    pipe.expect("piped").read_to_string(&mut text).unwrap();
    text
}

/// A configuration mistake: status 2, one line naming the variable, nothing opened or written.
fn refused(env: &[(&str, &str)]) -> String {
    let (r, files) = run(&[], env);
    assert_eq!(r.code, 2, "stdout {:?} stderr {:?}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("listening"), "{}", r.stdout);
    assert!(files.is_empty(), "no database or key file: {files:?}");
    assert!(r.stderr.starts_with("pasarela-server: configuration: "), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r.stderr
}

#[test]
fn help_lists_every_setting_and_starts_nothing() {
    for flag in ["--help", "-h"] {
        let (r, files) = run(&[flag], &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.starts_with("pasarela-server "), "{}", r.stdout);
        assert!(r.stdout.contains("Usage: pasarela-server"));
        for s in pasarela_server::config::SETTINGS {
            assert!(r.stdout.contains(s.name), "{} missing from --help", s.name);
        }
        assert!(r.stdout.contains("PASARELA_RATE_LIMIT (default: 300)"), "{}", r.stdout);
        assert!(files.is_empty(), "{files:?}");
    }
}

#[test]
fn version_prints_the_package_version() {
    for flag in ["--version", "-V"] {
        let (r, files) = run(&[flag], &[]);
        assert_eq!((r.code, r.stdout.as_str()), (0, format!("pasarela-server {}\n", env!("CARGO_PKG_VERSION")).as_str()));
        assert!(files.is_empty(), "{files:?}");
    }
}

#[test]
fn openapi_prints_the_served_document_and_starts_nothing() {
    let (r, files) = run(&["--openapi"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, pasarela_server::openapi::json());
    assert!(files.is_empty(), "{files:?}");
    let (r, _) = run(&["--openapi", "--help"], &[]);
    assert!(r.stdout.contains("Usage: pasarela-server [--help | --version | --openapi]"), "--help wins: {}", r.stdout);
}

#[test]
fn an_unknown_argument_exits_2() {
    let (r, files) = run(&["--port", "8080"], &[("CONEKTA_PRIVATE_KEY", "key_x")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown argument \"--port\"") && r.stderr.contains("--help"), "{}", r.stderr);
    assert!(files.is_empty(), "{files:?}");
}

#[test]
fn a_misspelt_key_is_named_with_the_right_spelling_and_never_shown() {
    let e = refused(&[("CONEKTA_PRIVATEKEY", "key_live_do_not_print")]);
    assert!(e.contains("CONEKTA_PRIVATEKEY: ") && e.contains("did you mean CONEKTA_PRIVATE_KEY?"), "{e}");
    assert!(!e.contains("key_live_do_not_print"), "{e}");
}

#[test]
fn no_provider_is_refused() {
    let e = refused(&[]);
    assert!(e.contains("no provider enabled: set BAMBOO_PRIVATE_KEY, CONEKTA_PRIVATE_KEY or LYRA_SHOP_ID/LYRA_PASSWORD/LYRA_HMAC_KEY"), "{e}");
}

#[test]
fn an_origin_without_scheme_is_refused() {
    let e = refused(&[("CONEKTA_PRIVATE_KEY", "key_x"), ("PASARELA_ALLOWED_ORIGINS", "shop.example")]);
    assert!(e.contains("PASARELA_ALLOWED_ORIGINS: \"shop.example\" has no scheme: write https://shop.example"), "{e}");
}

#[test]
fn settings_in_the_config_file_are_checked_too() {
    let dir = Scratch::new("file");
    let file = dir.0.join("pasarela.env");
    std::fs::write(&file, "CONEKTA_PRIVATE_KEY=key_x\nPASARELA_RATE_LIMT=10\n").unwrap();
    let e = refused(&[("PASARELA_CONFIG", file.to_str().unwrap())]);
    assert!(e.contains("PASARELA_RATE_LIMT: ") && e.contains("did you mean PASARELA_RATE_LIMIT?"), "{e}");
}

#[test]
fn a_good_configuration_listens_and_logs_json() {
    let dir = Scratch::new("serve");
    let mut child: Child = command(&dir, &[], &[("CONEKTA_PRIVATE_KEY", "key_x"), ("PASARELA_LOG_FORMAT", "json")])
        .spawn()
        .expect("the binary runs");
    // The first stdout line, read aside so that a service that hangs fails instead of blocking.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    let logs = read(child.stderr.take());
    assert!(line.starts_with("pasarela-server listening on http://127.0.0.1:"), "{line:?}\n{logs}");
    assert!(logs.contains("pasarela-server listening"), "{logs}");
    for l in logs.lines() {
        let json: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
        assert!(json["level"].is_string() && json["fields"]["message"].is_string(), "{json}");
    }
    assert!(dir.files().contains(&"pasarela.db".to_owned()), "{:?}", dir.files());
}
