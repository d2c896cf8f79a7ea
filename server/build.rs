// `sqlx::migrate!` embeds server/migrations at compile time: a new or edited migration must
// rebuild the service (sqlx's documentation recommends this build script).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
