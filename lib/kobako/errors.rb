# frozen_string_literal: true

module Kobako
  # Base of every kobako error.
  class Error < StandardError; end

  # The guest faulted: an engine trap, a guest crash, or a protocol violation.
  class TrapError < Error; end

  # A cap stopped the invocation; #cap says which.
  module CapFired
    # @return [Symbol] :timeout or :fuel (TimeoutError), :memory_limit
    #   (MemoryLimitError)
    attr_reader :cap

    def initialize(message = nil, cap: default_cap)
      super(message)
      @cap = cap
    end
  end

  # The timeout cap fired (cap: :timeout), or the fuel budget ran out
  # (cap: :fuel).
  class TimeoutError < TrapError
    include CapFired

    private def default_cap = :timeout
  end

  # The memory cap fired.
  class MemoryLimitError < TrapError
    include CapFired

    private def default_cap = :memory_limit
  end

  # An error raised inside the sandbox, or by a service it called, with what
  # the guest knew about it.
  module GuestFailure
    # @return [String] "sandbox" or "service"
    attr_reader :origin
    # @return [String, nil] the original exception's class name, e.g. "ZeroDivisionError"
    attr_reader :klass
    # @return [Array<String>] the guest backtrace, innermost frame first
    attr_reader :backtrace_lines
    # @return [Hash] extra facts about the failure; may be empty
    attr_reader :details

    def initialize(message = nil, origin: default_origin, klass: nil, backtrace_lines: [], details: {})
      super(message)
      @origin = origin
      @klass = klass
      @backtrace_lines = backtrace_lines.freeze
      @details = details.freeze
    end
  end

  # The script raised and did not rescue it, did not parse, returned a
  # value with no wire form, or named a missing entrypoint.
  class SandboxError < Error
    include GuestFailure

    private def default_origin = "sandbox"
  end

  # Preloaded bytecode is invalid.
  class BytecodeError < SandboxError; end

  # The handle table was misused.
  class HandleTableError < SandboxError; end

  # The per-invocation handle id cap was reached.
  class HandleTableExhausted < HandleTableError; end

  # A service raised and the script did not rescue it.
  class ServiceError < Error
    include GuestFailure

    private def default_origin = "service"

    # A stale or forged Handle was used.
    class Disconnected < ServiceError; end
  end

  # A sandbox was called from a fiber while another fiber of the same
  # thread waits inside a sandbox's service call (a Fiber scheduler switched
  # away from it). Nothing ran.
  class FiberSwitchError < Error; end

  # The compiled guest could not be loaded: missing, damaged, or built for
  # another platform or engine version. Raised by the first Sandbox.new.
  class ArtifactError < Error; end
end
