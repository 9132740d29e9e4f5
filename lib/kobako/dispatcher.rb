# frozen_string_literal: true

module Kobako
  # The host end of guest service calls for one sandbox: the bound services,
  # the handle table of the running invocation, and the conversions between
  # host objects and Handles. The native extension calls #dispatch, with the
  # GVL held, while the guest waits.
  class Dispatcher
    # Most Handles one invocation may hold (SPEC §5).
    HANDLE_ID_CAP = (2**31) - 1

    PLAIN = [NilClass, TrueClass, FalseClass, Integer, Float, String, Symbol].freeze
    # Deepest nesting a value may cross with, either way (as the binding).
    MAX_DEPTH = 128
    # Objects that would hand the guest a way into host internals.
    NEVER_HANDLES = [Method, UnboundMethod, Binding].freeze
    private_constant :PLAIN, :NEVER_HANDLES, :MAX_DEPTH

    # For tests of the cap; unset (HANDLE_ID_CAP) otherwise, so that a
    # Dispatcher keeps its three instance variables inside the object, not
    # in a table of their own (an idle sandbox's budget is 1 KB). For the
    # same budget the service table and the handle table exist only once
    # something is bound or handed out.
    attr_writer :handle_cap

    def initialize
      @services = nil
      @handles = nil
      @floor_memo = nil
    end

    # Binds +object+ as the guest's +namespace+::+member+ (Strings or
    # Symbols; kept as Symbols, which is how calls name them). The
    # extension's direct path reads @services too: Symbol keys only.
    def bind(namespace, member, object)
      ((@services ||= {})[namespace.to_sym] ||= {})[member.to_sym] = object
    end

    # Handles die with the invocation that made them.
    def begin_invocation
      @handles = nil
      @floor_memo = nil
    end

    # Lets go of the objects the invocation's Handles held, and of the
    # reflection floor's verdicts.
    def end_invocation
      @handles = nil
      @floor_memo = nil
    end

    # A guest call. +namespace+ is nil for a call on a Handle, whose id is
    # then +member+. Names are Symbols, or Strings when Ruby has no such
    # Symbol (so no such service or method); +kwargs+ is nil when the guest
    # passed none, and +handles+ says whether any Handle came among the
    # arguments (the binding knows, having just made them). Returns
    # [:ok, value], [:error, klass, message] or [:disconnected, message];
    # raises only what must end the invocation.
    def dispatch(namespace, member, method, args, kwargs, handles) # rubocop:disable Metrics/ParameterLists
      target = target_of(namespace, member)
      return [:disconnected, "#{label_of(namespace, member)} #{STALE}"] if target.equal?(MISSING)

      # Made at the first call: the floor loads only when a guest calls out.
      @floor_memo ||= ReflectionFloor.memo
      callable = ReflectionFloor.resolve(target, method, @floor_memo) if method.is_a?(Symbol)
      unless callable
        return [:error, "NoMethodError", "undefined method '#{method}' for #{label_of(namespace, member)}"]
      end

      [:ok, export(invoke(callable, target, args, kwargs, handles))]
    rescue Exception => e # rubocop:disable Lint/RescueException
      failure(e)
    end

    # What the guest receives for +error+, raised by a service call (or by
    # the export of its result): [:error, klass, message] or
    # [:disconnected, message]. Raises what must end the invocation. Also
    # asked by the extension's direct path (ext/kobako/src/direct_call.rs),
    # as #export is.
    private def failure(error)
      case error
      when ServiceError::Disconnected then return [:disconnected, error.message]
      when HandleTableError then nil # ends the invocation
      when *SERVICE_FAILURES
        # Another thread's Thread#raise is the caller's, not the service's.
        return [:error, ErrorText.class_name(error.class), ErrorText.message(error)] unless ThreadRaises.foreign?(error)
      end
      raise error
    end

    # What a service may raise and the guest receives as a ServiceError.
    # Anything else (Interrupt and other signals, SystemExit, a kill, a
    # throw) stops the invocation and reaches the caller as raised.
    SERVICE_FAILURES = [StandardError, ScriptError, NoMemoryError, SystemStackError, SecurityError].freeze
    private_constant :SERVICE_FAILURES

    # Host values for the guest: plain values as they are, Arrays and
    # Hashes element by element, any other object as a Handle. Nesting is
    # bounded, which also stops a cyclic structure.
    def export(value, depth = 0)
      if depth > MAX_DEPTH
        raise ArgumentError,
              "cannot pass a value nested deeper than #{MAX_DEPTH} levels into the sandbox"
      end

      case value
      when Integer then in_range(value)
      when Symbol then utf8_symbol(value)
      when *PLAIN, Handle then value
      when Array then value.map { |v| export(v, depth + 1) }
      when Hash then value.to_h { |k, v| [export(k, depth + 1), export(v, depth + 1)] }
      when *NEVER_HANDLES then raise TypeError, "a #{value.class} cannot be handed to the sandbox"
      else handle_for(value)
      end
    end

    # Guest values for the host: Handles become the objects they stand for.
    def import(value)
      case value
      when Handle then object_for(value.id)
      when Array then value.map { |v| import(v) }
      when Hash then value.to_h { |k, v| [import(k), import(v)] }
      else value
      end
    end

    MISSING = Object.new.freeze
    STALE = "is not valid in this invocation (stale or forged)"
    private_constant :MISSING, :STALE

    private

    # A signed 64-bit Integer needs at most 63 bits besides its sign.
    # (Asked of every Integer a service returns: Range#cover? with Bignum
    # ends cost about 2,500 of a service call's 41,600 instructions.)
    def in_range(integer)
      return integer if integer.bit_length < 64

      raise ArgumentError, "an Integer beyond the signed 64-bit range cannot enter the sandbox"
    end

    def utf8_symbol(symbol)
      return symbol if symbol.name.dup.force_encoding(Encoding::UTF_8).valid_encoding?

      raise ArgumentError, "a Symbol whose name is not UTF-8 cannot enter the sandbox"
    end

    def invoke(callable, target, args, kwargs, handles)
      args = import(args) if handles
      kwargs = import(kwargs) if handles && kwargs
      ReflectionFloor.call(callable, target, args, kwargs)
    end

    def target_of(namespace, member)
      (namespace ? @services&.dig(namespace, member) : live_handle(member)) || MISSING
    end

    # How an error names the target (built only when one is reported).
    def label_of(namespace, member)
      namespace ? "service #{namespace}::#{member}" : "Kobako::Handle"
    end

    def handle_for(object)
      cap = @handle_cap || HANDLE_ID_CAP
      handles = (@handles ||= [])
      if handles.size >= cap
        raise HandleTableExhausted,
              "this invocation holds #{cap} Handles, the most it may"
      end

      handles << object
      Handle.new(handles.size)
    end

    def object_for(id)
      live_handle(id) or raise ServiceError::Disconnected, "Kobako::Handle #{STALE}"
    end

    # The object Handle +id+ stands for in this invocation, or nil.
    def live_handle(id)
      @handles&.[](id - 1) if id.is_a?(Integer) && id.positive?
    end
  end
end
