//! Links the libmruby.a that `guest/build` produced with mruby's own build
//! system (see build_config.rb), and the Oniguruma library it compiled.

fn main() {
    println!("cargo:rerun-if-env-changed=KOBAKO_LIBMRUBY_DIR");
    let Ok(dir) = std::env::var("KOBAKO_LIBMRUBY_DIR") else {
        panic!("KOBAKO_LIBMRUBY_DIR is not set: build the guest with guest/build");
    };
    println!("cargo:rerun-if-changed={dir}/libmruby.a");
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=static=mruby");

    println!("cargo:rerun-if-env-changed=KOBAKO_LIBONIG_DIR");
    let Ok(onig) = std::env::var("KOBAKO_LIBONIG_DIR") else {
        panic!("KOBAKO_LIBONIG_DIR is not set: build the guest with guest/build");
    };
    println!("cargo:rerun-if-changed={onig}/libonig.a");
    println!("cargo:rustc-link-search=native={onig}");
    println!("cargo:rustc-link-lib=static=onig");

    // The host reads and resets the shadow stack pointer when it restores
    // the booted state (engine/src/lifecycle.rs).
    println!("cargo:rustc-link-arg=--export=__stack_pointer");
}
