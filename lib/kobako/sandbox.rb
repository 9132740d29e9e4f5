# frozen_string_literal: true

module Kobako
  # An isolated mruby guest. Each invocation starts from a fresh Ruby state.
  #
  #   sandbox = Kobako::Sandbox.new
  #   sandbox.eval("1 + 2") # => 3
  class Sandbox
    DEFAULT_TIMEOUT = 60.0
    DEFAULT_MEMORY_LIMIT = 1 << 20
    DEFAULT_OUTPUT_LIMIT = 1 << 20
    # Names of entrypoints, snippets, namespaces and members.
    CONSTANT_NAME = /\A[A-Z]\w*\z/
    # Longest timeout, in seconds (about 136 years): longer is a typo.
    MAX_TIMEOUT = 2**32
    # Largest byte count or fuel budget the engine counts in.
    MAX_COUNT = (2**63) - 1
    BUSY = "this Kobako::Sandbox is running an invocation (in another thread or fiber, " \
           "or further up this one); use one Sandbox per thread"
    private_constant :MAX_COUNT, :BUSY

    # @return [Float, nil] seconds of wall clock per invocation
    attr_reader :timeout
    # @return [Integer, nil] bytes of guest memory growth per invocation
    attr_reader :memory_limit
    # @return [Integer] bytes of captured stdout per invocation
    attr_reader :stdout_limit
    # @return [Integer] bytes of captured stderr per invocation
    attr_reader :stderr_limit
    # @return [Integer, nil] deterministic work budget per invocation, in
    #   checkpoints (guest loop iterations and recursive calls)
    attr_reader :fuel

    # Every cap applies to each invocation on its own; nothing accumulates.
    #
    # @param timeout [Float, Integer, nil] wall-clock seconds (nil: none)
    # @param memory_limit [Integer, nil] bytes of guest memory growth (nil: none)
    # @param stdout_limit [Integer] bytes of $stdout kept; the rest is dropped
    # @param stderr_limit [Integer] bytes of $stderr kept; the rest is dropped
    # @param fuel [Integer, nil] deterministic work budget (nil: none); when
    #   it runs out the invocation raises Kobako::TimeoutError
    # @raise [ArgumentError] for an option of the wrong type or range
    # @raise [Kobako::ArtifactError] when the compiled guest cannot be loaded
    def initialize(timeout: DEFAULT_TIMEOUT, memory_limit: DEFAULT_MEMORY_LIMIT,
                   stdout_limit: DEFAULT_OUTPUT_LIMIT, stderr_limit: DEFAULT_OUTPUT_LIMIT, fuel: nil)
      @timeout = Options.timeout(timeout)
      @memory_limit = Options.positive_integer(:memory_limit, memory_limit, nil_ok: true)
      @stdout_limit = Options.byte_limit(:stdout_limit, stdout_limit)
      @stderr_limit = Options.byte_limit(:stderr_limit, stderr_limit)
      @fuel = Options.positive_integer(:fuel, fuel, nil_ok: true)
      @native = Native::Sandbox.new(Kobako.artifacts_dir,
                                    [@timeout, @fuel, @memory_limit, @stdout_limit, @stderr_limit])
      @dispatcher = Dispatcher.new
      @namespaces = nil
      @sealed = false
      @busy = Mutex.new
      # The object id of the fiber running an invocation, if one is.
      @owner = nil
    end

    # The namespace +name+ (the same one on every call), for binding services.
    #
    #   sandbox.define(:KV).bind(:Lookup, ->(key) { store[key] })
    #   sandbox.eval('KV::Lookup.call("user_42")')
    #
    # @param name [Symbol, String] matches /\A[A-Z]\w*\z/
    # @return [Kobako::Namespace]
    # @raise [ArgumentError] for a bad name, or after the first invocation
    def define(name)
      name = constant_name(:namespace, name)
      raise ArgumentError, "define after the first #eval or #run: the sandbox is sealed" if @sealed

      (@namespaces ||= {})[name] ||= Namespace.new(self, name)
    end

    # Evaluates Ruby source in the guest and returns the value of its last
    # expression.
    #
    # @param source [String]
    # @return [nil, true, false, Integer, Float, String, Symbol, Array, Hash]
    # @raise [TypeError] when source is not a String
    # @raise [Kobako::SandboxError] when the script raises and does not rescue,
    #   does not parse, or returns a value that cannot leave the sandbox
    # @raise [Kobako::TimeoutError] when the timeout or the fuel budget runs out
    # @raise [Kobako::MemoryLimitError] when guest memory would grow past memory_limit
    # @raise [Kobako::TrapError] when the guest faults
    def eval(source)
      raise TypeError, "source must be a String, not #{source.class}" unless source.is_a?(String)

      invocation { @native.eval(source, @dispatcher) }
    end

    # Calls +Target.call(*args, **kwargs)+ in the guest, where +Target+ is a
    # top-level constant that a preloaded snippet defined.
    #
    # @param target [Symbol, String] the constant's name, e.g. +:Adder+
    # @return the call's value, as for #eval
    # @raise [TypeError] when target is not a Symbol or String
    # @raise [ArgumentError] when target is not a constant name, or a
    #   keyword key is not a Symbol (nothing runs, nothing is sealed)
    # @raise [Kobako::SandboxError] when the constant is missing
    #   (+details["available"]+ lists what the snippets defined) or does not
    #   respond to +call+, or the call raises
    def run(target, *args, **kwargs)
      unless target.is_a?(Symbol) || target.is_a?(String)
        raise TypeError, "target must be a Symbol or String, not #{target.class}"
      end

      name = target.to_s
      unless CONSTANT_NAME.match?(name)
        raise ArgumentError, "target #{name.inspect} must match #{CONSTANT_NAME.inspect}"
      end
      raise ArgumentError, "kwargs keys must be Symbols" unless kwargs.each_key.all?(Symbol)

      invocation(args, kwargs) do |exported_args, exported_kwargs|
        @native.run(name, exported_args, exported_kwargs, @dispatcher)
      end
    end

    # Adds a snippet that is replayed, in insertion order, into every fresh
    # guest state before each invocation. Either Ruby source, compiled here
    # and now by the guest's own compiler, or mruby 3.2 bytecode (see
    # Kobako.compile), validated when it is first loaded.
    #
    # @param code [String] Ruby source
    # @param name [Symbol, String] names the snippet in backtraces
    # @param binary [String] RITE bytecode
    # @return [self]
    # @raise [Kobako::SandboxError] when code does not parse
    # @raise [ArgumentError] after the first invocation, or for bad arguments
    def preload(code: nil, name: nil, binary: nil)
      raise ArgumentError, "preload takes code: or binary:, not both" if code && binary
      raise ArgumentError, "preload needs code: (with name:) or binary:" unless code || binary

      if code
        raise TypeError, "code must be a String, not #{code.class}" unless code.is_a?(String)

        # The file name its frames show, as kobako 0.3 named them.
        file = "(snippet:#{constant_name(:snippet, name)})"
        exclusively { @native.preload_code(code, file) }
      else
        raise TypeError, "binary must be a String, not #{binary.class}" unless binary.is_a?(String)

        FiberGuard.enter { @native.preload_binary(binary) }
      end
      self
    end

    # @return [String] what the last invocation wrote to $stdout
    def stdout = @native.stdout

    # @return [String] what the last invocation wrote to $stderr
    def stderr = @native.stderr

    # @return [Boolean] whether the last invocation wrote more to $stdout than stdout_limit
    def stdout_truncated? = @native.stdout_truncated?

    # @return [Boolean] whether the last invocation wrote more to $stderr than stderr_limit
    def stderr_truncated? = @native.stderr_truncated?

    private

    # Exports +values+ for the guest (a value that cannot cross is an
    # ArgumentError or TypeError before anything runs), then seals, even if
    # the invocation then fails. A Handle in the result comes back as the
    # object it stands for; the Handles die with the invocation, so the host
    # objects they held can be collected.
    def invocation(*values)
      exclusively do
        @dispatcher.begin_invocation
        exported = values.map { |value| @dispatcher.export(value) }
        @sealed = true
        result(yield(*exported))
      ensure
        @dispatcher.end_invocation
      end
    end

    # The guest's value with its Handles back as the host objects they
    # stand for. Rebuilding a Hash asks its keys for #hash, which a host
    # object may lack (a BasicObject proxy) or raise from: the guest chose
    # that shape, so it is the guest's error.
    def result(value)
      @dispatcher.import(value)
    rescue Kobako::Error
      raise
    rescue StandardError, ScriptError, SystemStackError, NoMemoryError => e
      raise SandboxError.new("the result cannot be rebuilt on the host: #{ErrorText.message(e)}",
                             klass: ErrorText.class_name(e.class))
    end

    # A second caller (another thread, another fiber, or a service of this
    # very invocation) is refused before it touches anything of the running
    # invocation: its Handles, output or arguments.
    def exclusively(&)
      FiberGuard.enter do |fiber|
        claimed = false
        begin
          Thread.handle_interrupt(FiberGuard::NO_INTERRUPTS) { claimed = claim(fiber) }
          yield
        ensure
          if claimed
            @owner = nil
            @busy.unlock
          end
        end
      end
    end

    # Makes each claim whole across threads: deciding that an invocation is
    # abandoned and taking it back must not interleave with another claim.
    CLAIMS = Mutex.new
    private_constant :CLAIMS

    # Locks the sandbox for the fiber with object id +fiber+. An invocation
    # that began and never ended (@owner still set) is taken back from a
    # fiber that can never resume it: one Ruby collected (abandoned while
    # suspended inside a service call), or one whose thread ended (Ruby then
    # unlocked the Mutex itself, as in a child after fork). Never from the
    # current fiber: that is a service calling its own sandbox.
    def claim(fiber)
      CLAIMS.synchronize do
        locked = @busy.try_lock
        if @owner
          unless @owner != fiber && (locked || FiberGuard.gone?(@owner))
            @busy.unlock if locked
            raise BUSY
          end
          @owner = fiber
          reclaim(locked)
        else
          raise BUSY unless locked

          @owner = fiber
        end
      end
      true
    end

    # A Mutex remembers the fiber that locked it, and reads it when the
    # Mutex is freed: one an abandoned fiber still holds is kept for good (a
    # few dozen bytes), never freed, and a new one, locked, takes its place.
    ABANDONED_LOCKS = Thread::Queue.new
    private_constant :ABANDONED_LOCKS

    def reclaim(locked)
      unless locked
        ABANDONED_LOCKS << @busy
        @busy = Mutex.new.tap(&:lock)
      end
      @native.reclaim_abandoned
      @dispatcher.end_invocation
    end

    def bind_service(namespace, member, object)
      member = constant_name(:member, member)
      raise ArgumentError, "bind after the first #eval or #run: the sandbox is sealed" if @sealed

      @native.bind(namespace.to_s, member.to_s)
      @dispatcher.bind(namespace.to_s, member.to_s, object)
    end

    def constant_name(what, name)
      unless (name.is_a?(Symbol) || name.is_a?(String)) && CONSTANT_NAME.match?(name.to_s)
        raise ArgumentError, "#{what} name #{name.inspect} must match #{CONSTANT_NAME.inspect}"
      end

      name.to_sym
    end

    # Validation of the constructor's options.
    module Options
      module_function

      def timeout(value)
        return nil if value.nil?

        unless value.is_a?(Integer) || value.is_a?(Float)
          raise ArgumentError, "timeout must be a positive number of seconds or nil, not #{value.inspect}"
        end
        raise ArgumentError, "timeout must be > 0, got #{value}" unless value.positive? && value.finite?
        raise ArgumentError, "timeout must be at most #{MAX_TIMEOUT} seconds, got #{value}" if value > MAX_TIMEOUT

        value.to_f
      end

      def positive_integer(name, value, nil_ok:)
        return nil if value.nil? && nil_ok

        unless value.is_a?(Integer) && value.positive? && value <= MAX_COUNT
          raise ArgumentError, "#{name} must be a positive Integer (at most 2**63-1)#{' or nil' if nil_ok}, " \
                               "not #{value.inspect}"
        end

        value
      end

      def byte_limit(name, value)
        return value if value.is_a?(Integer) && value >= 0 && value <= MAX_COUNT

        raise ArgumentError, "#{name} must be an Integer from 0 to 2**63-1, not #{value.inspect}"
      end
    end
    private_constant :Options
  end
end
