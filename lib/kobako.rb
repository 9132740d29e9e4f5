# frozen_string_literal: true

require_relative "kobako/version"
require_relative "kobako/errors"

# The native extension: a build for this Ruby's minor version if present
# (how platform gems ship), else the one `bin/setup` built.
begin
  require_relative "kobako/#{RUBY_VERSION[/\A\d+\.\d+/]}/kobako"
rescue LoadError
  require_relative "kobako/kobako"
end

require_relative "kobako/handle"
require_relative "kobako/reflection_floor"
require_relative "kobako/dispatcher"
require_relative "kobako/namespace"
require_relative "kobako/sandbox"

# Runs untrusted Ruby in an in-process WebAssembly sandbox: an mruby guest,
# compiled ahead of time, on Wasmer's headless engine.
module Kobako
  # Where the compiled guest and its manifest live. Override with
  # KOBAKO_ARTIFACTS_DIR.
  def self.artifacts_dir
    ENV.fetch("KOBAKO_ARTIFACTS_DIR") { File.expand_path("../artifacts", __dir__) }
  end

  COMPILER_LOCK = Mutex.new
  private_constant :COMPILER_LOCK

  # Compiles Ruby source to mruby 3.2 bytecode with the guest's own
  # compiler, for Sandbox#preload(binary:). Nothing runs.
  #
  # @param source [String]
  # @param name [String] file name shown in backtraces
  # @param debug [Boolean] keep line numbers (false: smaller, frames without lines)
  # @return [String] binary (ASCII-8BIT) RITE bytecode
  # @raise [Kobako::SandboxError] when source does not parse
  def self.compile(source, name:, debug: true)
    raise TypeError, "source must be a String, not #{source.class}" unless source.is_a?(String)

    COMPILER_LOCK.synchronize do
      @compiler ||= Native::Sandbox.new(artifacts_dir, [60.0, nil, nil, 0, 0])
      @compiler.compile(source, name.to_s, debug ? true : false)
    end
  end
end
