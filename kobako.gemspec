# frozen_string_literal: true

require_relative "lib/kobako/version"

# The source gem: `gem install` builds the native extension with cargo
# (ext/kobako/extconf.rb). `rake gem:platform` makes the prebuilt one from
# this same spec.
Gem::Specification.new do |spec|
  spec.name = "kobako"
  spec.version = Kobako::VERSION
  spec.authors = ["kobako developers"]
  spec.license = "MIT"
  spec.summary = "Run untrusted Ruby in an in-process WebAssembly sandbox"
  spec.description = "kobako runs untrusted Ruby (mruby 3.2 compiled to wasm32-wasip1) inside your Ruby " \
                     "process on Wasmer's headless engine, from an ahead-of-time compiled artifact: caps on " \
                     "time, memory and output, capability services, and a first sandbox in milliseconds."
  # Built and tested on Ruby 3.1 (the only Ruby of the project's machines);
  # the extension uses no API newer than 3.1.
  spec.required_ruby_version = ">= 3.1", "< 3.5"
  spec.metadata["rubygems_mfa_required"] = "true"

  runtime = Dir["lib/**/*.rb", "exe/*", "artifacts/manifest.json", "artifacts/*.wasmu",
                "README.md", "CHANGELOG.md", "LICENSE"]
  # The host crates the extension builds from (not the guest toolchain,
  # not LLVM: the guest ships compiled in artifacts/).
  build = Dir["Cargo.toml", "Cargo.lock", "ext/kobako/{Cargo.toml,build.rs,extconf.rb}", "ext/kobako/src/**/*.rs",
              "engine/{Cargo.toml,build.rs}", "engine/src/**/*.rs", "engine/wire/{Cargo.toml,src/**/*.rs}",
              "engine/aot/{Cargo.toml,build.rs}", "engine/aot/src/**/*.rs",
              "engine/patches/{Cargo.toml,Cargo.lock,lib.rs,apply}", "engine/patches/*/*.patch"]
  spec.files = (runtime + build).uniq.sort
  spec.bindir = "exe"
  spec.executables = ["kobako"]
  spec.require_paths = ["lib"]
  spec.extensions = ["ext/kobako/extconf.rb"]
end
