# frozen_string_literal: true

# Builds the native extension of the source gem with cargo. RubyGems runs
# this, then `make` and `make install`, which puts kobako.so where
# `require "kobako"` looks (lib/kobako/ of the installed gem). The guest is
# not compiled here: its AOT artifact ships in artifacts/.

require "rbconfig"
require "shellwords"

root = File.expand_path("../..", __dir__)
cargo = ENV.fetch("CARGO") do
  ENV.fetch("PATH", "").split(File::PATH_SEPARATOR)
     .map { |dir| File.join(dir, "cargo") }
     .find { |path| File.executable?(path) }
end

unless cargo
  platform = "#{RbConfig::CONFIG['host_cpu']}-linux"
  abort <<~MSG
    kobako: building the native extension from source needs Rust (cargo 1.95 or newer: https://rustup.rs),
    and a C toolchain with libclang (Debian: apt-get install build-essential libclang-dev ruby-dev).
    Or install the prebuilt gem for this platform, which needs none of that:
      gem install kobako --platform #{platform}
  MSG
end

# Where cargo builds: $CARGO_TARGET_DIR if set (to share a cache),
# otherwise a directory of this build that `make install` removes again.
target = ENV["CARGO_TARGET_DIR"] || File.join(Dir.pwd, "target")
keep_target = ENV.key?("CARGO_TARGET_DIR")
dest = RbConfig::CONFIG["sitearchdir"]
dlext = RbConfig::CONFIG["DLEXT"]

File.write("Makefile", <<~MAKE)
  CARGO = #{cargo.shellescape}
  TARGET = #{target.shellescape}
  DEST = #{dest.shellescape}

  all:
  \tcd #{root.shellescape} && bash engine/patches/apply
  \tcd #{root.shellescape} && CARGO_TARGET_DIR=$(TARGET) RUBY=#{RbConfig.ruby.shellescape} \\
  \t  $(CARGO) build --release --locked -p kobako-ext
  \tcp $(TARGET)/release/libkobako.so kobako.#{dlext}
  \t-#{RbConfig.ruby.shellescape} -e 'require ARGV[0]; Kobako::Bytecode.write' #{File.join(root, 'lib/kobako/bytecode.rb').shellescape}

  install: all
  \tmkdir -p $(DEST)/kobako
  \tcp kobako.#{dlext} $(DEST)/kobako/kobako.#{dlext}
  #{keep_target ? '' : "\trm -rf $(TARGET)"}

  clean:
  \trm -f kobako.#{dlext}
MAKE
