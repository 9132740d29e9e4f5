# frozen_string_literal: true

# mruby build configuration for the kobako guest, driven by `guest/build`.
#
# Two builds: a host build that only produces `mrbc` (mruby needs it to
# compile its own Ruby-level library), and the wasm32-wasip1 cross build
# whose libmruby.a the guest crate links.

GUEST_DIR = File.expand_path(__dir__)

MRuby::Build.new do |conf|
  conf.toolchain :gcc
  conf.build_dir = ENV.fetch("KOBAKO_MRUBY_BUILD_DIR") + "/host"
  conf.gem core: "mruby-bin-mrbc"
end

MRuby::CrossBuild.new("wasm32-wasip1") do |conf|
  conf.toolchain :clang
  conf.build_dir = ENV.fetch("KOBAKO_MRUBY_BUILD_DIR") + "/wasm32-wasip1"

  clang = ENV.fetch("KOBAKO_CLANG", "clang-19")
  conf.cc.command = clang
  conf.cc.flags = %w[
    --target=wasm32-wasi -O2 -fno-common -ffunction-sections -fdata-sections
    -mllvm -wasm-enable-sjlj
  ]
  # Debian's wasi-libc headers; our own setjmp.h comes first because that
  # wasi-libc predates setjmp support.
  conf.cc.include_paths.unshift("#{GUEST_DIR}/c/include")
  conf.cc.flags << "-isystem" << ENV.fetch("KOBAKO_WASI_SYSROOT", "/usr/include/wasm32-wasi")
  # No String length cap of its own (mruby defaults to 1 MiB): memory_limit is the cap.
  conf.cc.defines += %w[MRB_INT64 MRB_UTF8_STRING MRB_NO_STDIO MRB_STR_LENGTH_MAX=0]
  conf.archiver.command = ENV.fetch("KOBAKO_AR", "llvm-ar-19")
  conf.linker.command = clang

  # The guest's Ruby: core extensions, no IO, sockets, sleep, time or process.
  %w[
    mruby-compiler mruby-error mruby-eval mruby-metaprog mruby-method
    mruby-compar-ext mruby-enum-ext mruby-string-ext mruby-numeric-ext
    mruby-array-ext mruby-hash-ext mruby-range-ext mruby-proc-ext
    mruby-symbol-ext mruby-object-ext mruby-objectspace mruby-set
    mruby-fiber mruby-enumerator mruby-enum-lazy mruby-toplevel-ext
    mruby-kernel-ext mruby-class-ext mruby-pack mruby-sprintf mruby-struct
    mruby-data mruby-random mruby-math mruby-rational mruby-complex
    mruby-bigint mruby-catch mruby-enum-chain mruby-time
  ].each { |name| conf.gem core: name }
  conf.gem "#{GUEST_DIR}/mrbgem"
  conf.gem "#{GUEST_DIR}/regexp"
end
