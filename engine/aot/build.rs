//! With the `llvm` feature and an X86-only libLLVM (the wheel-based one
//! from `llvm/setup`), link stand-ins for the other targets' initialisers.

fn main() {
    #[cfg(feature = "llvm")]
    {
        println!("cargo:rerun-if-env-changed=KOBAKO_LLVM_ALL_TARGETS");
        if std::env::var_os("KOBAKO_LLVM_ALL_TARGETS").is_none() {
            println!("cargo:rerun-if-changed=llvm/missing_targets.c");
            cc::Build::new()
                .file("llvm/missing_targets.c")
                .compile("kobako_missing_targets");
        }
    }
}
