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

# Runs untrusted Ruby in an in-process WebAssembly sandbox: an mruby guest,
# compiled ahead of time, on Wasmer's headless engine.
module Kobako
  # Where the compiled guest and its manifest live. Override with
  # KOBAKO_ARTIFACTS_DIR.
  def self.artifacts_dir
    ENV.fetch("KOBAKO_ARTIFACTS_DIR") { File.expand_path("../artifacts", __dir__) }
  end
end

# Check and load the artifact on a background thread while the rest of the
# library loads: the first Sandbox then finds it ready. KOBAKO_PREPARE=0
# leaves it to the first Sandbox.new.
Kobako::Native.prepare(Kobako.artifacts_dir) unless ENV["KOBAKO_PREPARE"] == "0"

require_relative "kobako/handle"
require_relative "kobako/fiber_guard"
require_relative "kobako/thread_raises"
require_relative "kobako/dispatcher"
require_relative "kobako/namespace"
require_relative "kobako/sandbox"

# Loaded when first needed (a service call, an error to describe), not at
# require: cold start pays only for what the first eval uses.
module Kobako
  autoload :ReflectionFloor, File.expand_path("kobako/reflection_floor", __dir__)
  autoload :ErrorText, File.expand_path("kobako/error_text", __dir__)
end

# Compiling Ruby to bytecode outside any sandbox (see Kobako.compile).
module Kobako
  # Idle compilers, so threads compiling at once each get their own and a
  # slow compile holds up nobody else.
  COMPILERS = Queue.new
  # Caps of every compile: hostile source stops here, not the process.
  COMPILE_TIMEOUT = 10.0
  COMPILE_MEMORY_LIMIT = 64 << 20
  private_constant :COMPILERS, :COMPILE_TIMEOUT, :COMPILE_MEMORY_LIMIT

  # Compiles Ruby source to mruby 3.2 bytecode with the guest's own
  # compiler, for Sandbox#preload(binary:). Nothing runs. The compile runs
  # under caps of its own: 10 s and 64 MiB of guest memory.
  #
  # @param source [String]
  # @param name [String] file name shown in backtraces
  # @param debug [Boolean] keep line numbers (false: smaller, frames without lines)
  # @return [String] binary (ASCII-8BIT) RITE bytecode
  # @raise [Kobako::SandboxError] when source does not parse
  # @raise [Kobako::TimeoutError, Kobako::MemoryLimitError] when it is too costly
  def self.compile(source, name:, debug: true)
    raise TypeError, "source must be a String, not #{source.class}" unless source.is_a?(String)

    compiler = begin
      COMPILERS.pop(true)
    rescue ThreadError
      Native::Sandbox.new(artifacts_dir, [COMPILE_TIMEOUT, nil, COMPILE_MEMORY_LIMIT, 0, 0])
    end
    begin
      FiberGuard.enter { compiler.compile(source, name.to_s, debug ? true : false) }
    ensure
      COMPILERS.push(compiler)
    end
  end
end
