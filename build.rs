//! Regenerates `include/ruv.h` from the `extern "C"` layer and sets the shared library's soname.
//!
//! cbindgen does not expand macros, so this script first writes what it needs to read into
//! `OUT_DIR`: each `src/ffi` module with its `ffi_fn!` items expanded into plain
//! `#[no_mangle] pub extern "C" fn` declarations (the bodies dropped), and the `ruv_errno_t`
//! enum made from `src/core/error_table.rs`. A `#[no_mangle]` written by hand is refused, so
//! every export goes through `ffi_fn!` and its panic guard.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use quote::ToTokens;

/// The one list of handle kinds (`HandleType`), shared with the crate: the header's opaque
/// typedefs of the handle kinds are written from it.
#[path = "src/core/kinds.rs"]
#[allow(dead_code)]
mod kinds;

/// The error table as (name, value, doc) rows.
macro_rules! error_table {
    (
        own { $( $own:ident = $value:literal, $own_msg:literal; )* }
        errno { $( $errno:ident, $errno_msg:literal; )* }
    ) => {
        fn error_rows() -> Vec<(&'static str, i32, String)> {
            vec![
                $( (stringify!($own), $value, format!("ruv's own code: {}", $own_msg)), )*
                $( (stringify!($errno), -libc::$errno,
                    format!("`-{}`: {}", stringify!($errno), $errno_msg)), )*
            ]
        }
    };
}

include!("src/core/error_table.rs");

/// The header's error enum, as Rust source for cbindgen.
fn errno_enum() -> String {
    let mut out = String::from(
        "/// Every error code of the C API: 0 or a count means success, these mean failure.\n\
         /// `RUV_E<NAME>` is the platform's `-E<NAME>`.\n\
         #[repr(C)]\npub enum ruv_errno_t {\n",
    );
    for (name, value, doc) in error_rows() {
        writeln!(out, "    /// {doc}.\n    RUV_{name} = {value},").expect("String write");
    }
    out.push_str("}\n");
    out
}

/// Expands the `ffi_fn!` items of one module into declarations cbindgen reads.
fn expand_exports(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("src/ffi is readable");
    let mut file = syn::parse_file(&text).expect("src/ffi parses");
    let mut items = Vec::new();
    for item in std::mem::take(&mut file.items) {
        match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("ffi_fn") => {
                let mut f: syn::ItemFn = syn::parse2(m.mac.tokens)
                    .unwrap_or_else(|e| panic!("{}: ffi_fn! holds one fn: {e}", path.display()));
                f.attrs.push(syn::parse_quote!(#[no_mangle]));
                f.vis = syn::parse_quote!(pub);
                f.sig.abi = Some(syn::parse_quote!(extern "C"));
                f.block = Box::new(syn::parse_quote!({ unreachable!() }));
                items.push(syn::Item::Fn(f));
            }
            syn::Item::Fn(f) => {
                let by_hand = f.attrs.iter().any(|a| a.path().is_ident("no_mangle"));
                assert!(
                    !by_hand,
                    "{}: export {} without ffi_fn! (its panic guard)",
                    path.display(),
                    f.sig.ident
                );
            }
            // Every module is handed to cbindgen on its own: it must not follow `mod` items.
            syn::Item::Mod(_) => {}
            other => items.push(other),
        }
    }
    file.items = items;
    file.into_token_stream().to_string()
}

/// Where cbindgen.toml's prelude wants the handle kinds' typedefs.
const KIND_TYPEDEFS: &str = "@HANDLE_KIND_TYPEDEFS@\n";

/// `typedef struct ruv_tcp_s ruv_tcp_t;` and its doc comment, for every handle kind.
fn kind_typedefs() -> String {
    let mut out = String::new();
    for kind in kinds::HandleType::ALL {
        let c_type = kind.c_type();
        let stem = c_type.strip_suffix("_t").expect("C handle types end in _t");
        writeln!(
            out,
            "/** {} */\ntypedef struct {stem}_s {c_type};",
            kind.c_doc()
        )
        .expect("writing to a String");
    }
    out
}

fn main() {
    let crate_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
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
    let prelude = config.after_includes.unwrap_or_default();
    assert!(
        prelude.contains(KIND_TYPEDEFS),
        "cbindgen.toml's after_includes has the {KIND_TYPEDEFS} placeholder"
    );
    config.after_includes = Some(format!(
        "{}{}",
        version_macros,
        prelude.replace(KIND_TYPEDEFS, &kind_typedefs())
    ));

    let gen_dir = out_dir.join("cbindgen-src");
    fs::create_dir_all(&gen_dir).expect("OUT_DIR is writable");
    let mut modules: Vec<PathBuf> = fs::read_dir(crate_dir.join("src").join("ffi"))
        .expect("src/ffi is a directory")
        .map(|e| e.expect("src/ffi lists").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    modules.sort();
    let mut builder = cbindgen::Builder::new().with_config(config);
    for module in &modules {
        let generated = gen_dir.join(module.file_name().expect("a file"));
        fs::write(&generated, expand_exports(module)).expect("OUT_DIR is writable");
        builder = builder.with_src(generated);
    }
    let errno = gen_dir.join("errno.rs");
    fs::write(&errno, errno_enum()).expect("OUT_DIR is writable");
    let header = builder
        .with_src(errno)
        .generate()
        .expect("cbindgen generates include/ruv.h");
    // write_to_file leaves the file untouched when the content is unchanged.
    header.write_to_file(crate_dir.join("include").join("ruv.h"));
}
