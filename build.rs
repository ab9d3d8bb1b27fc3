//! Regenerates `include/ruv.h` from the `extern "C"` layer and sets the shared library's soname.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets the version");
    let patch = env::var("CARGO_PKG_VERSION_PATCH").expect("cargo sets the version");

    // The versioned soname lets C consumers link against libruv.so.MAJOR.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libruv.so.{major}");
    }

    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let version_macros = format!(
        "\n/** Major version of this header (Cargo.toml); a new major breaks the ABI. */\n\
         #define RUV_VERSION_MAJOR {major}\n\
         /** Minor version of this header (Cargo.toml). */\n\
         #define RUV_VERSION_MINOR {minor}\n\
         /** Patch version of this header (Cargo.toml). */\n\
         #define RUV_VERSION_PATCH {patch}\n\
         /** The version as one number; ruv_version() returns the library's, to compare. */\n\
         #define RUV_VERSION_HEX ((RUV_VERSION_MAJOR << 16) | (RUV_VERSION_MINOR << 8) | RUV_VERSION_PATCH)\n"
    );
    config.after_includes = Some(format!(
        "{}{}",
        version_macros,
        config.after_includes.unwrap_or_default()
    ));

    let header = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates include/ruv.h");
    // write_to_file leaves the file untouched when the content is unchanged.
    header.write_to_file(crate_dir.join("include").join("ruv.h"));
}
