# frozen_string_literal: true

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
