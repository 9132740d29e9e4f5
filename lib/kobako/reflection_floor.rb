# frozen_string_literal: true

require_relative "builtins"

module Kobako
  # Decides, on the host, which methods a guest may call on a bound object,
  # a Handle or a `run` argument (SPEC §2 "Reflection floor"). Default-deny:
  # only a public method the application itself defines runs. A refusal
  # looks exactly like a missing method.
  #
  # Every question is put to Ruby itself, never to the object, so an object
  # cannot lie about its class, ancestors or methods (by overriding `class`,
  # `respond_to?`, `public_method`, `method_missing` or
  # `respond_to_missing?`): the ones asked on every call to Ruby's C API
  # (Native::Reflection), the rest through unbound methods of Module,
  # Kernel and BasicObject.
  module ReflectionFloor
    # Methods that dispatch by name or evaluate code: refused whatever
    # their owner, and under any alias (the original name is checked too).
    DISPATCHERS = %i[
      send __send__ public_send try try! instance_eval instance_exec class_eval class_exec
      module_eval module_exec eval instance_eval! send! method public_method singleton_method
      instance_method public_instance_method define_method define_singleton_method
      instance_variable_get instance_variable_set remove_instance_variable const_get const_set
      binding inject reduce tap then yield_self extend method_missing respond_to_missing?
      __getobj__ __setobj__
    ].to_h { |name| [name, true] }.freeze

    INSTANCE_METHOD = Module.instance_method(:instance_method)
    ANCESTORS = Module.instance_method(:ancestors)
    KIND_OF = Module.instance_method(:===)
    SEND = BasicObject.instance_method(:__send__)
    CLASS_OF = Kernel.instance_method(:class)
    STRUCT_MEMBERS = Struct.instance_method(:members)
    REFLECTION = Native::Reflection
    # What REFLECTION.facts reports (bits).
    PUBLIC = REFLECTION::PUBLIC
    CALLABLE = REFLECTION::CALLABLE
    GATED = REFLECTION::GATED
    private_constant :INSTANCE_METHOD, :ANCESTORS, :KIND_OF, :SEND, :CLASS_OF, :STRUCT_MEMBERS,
                     :REFLECTION, :PUBLIC, :CALLABLE, :GATED

    # All a guest may call on a Proc or a Method.
    CALLABLE_METHODS = %i[call [] yield arity lambda?].to_h { |name| [name, true] }.freeze
    # The calling surface's names that are no dispatcher: the extension
    # answers a plain call of these on a bound Proc or Method itself
    # (ext/kobako/src/direct_call.rs, rules 1, 4 and 5 as #resolve applies
    # them).
    CALLING_SURFACE = (CALLABLE_METHODS.keys - DISPATCHERS.keys).freeze

    # Calls what #resolve allowed: an UnboundMethod bound to +object+, or a
    # Proc's or Method's calling surface by its name, as a public call made
    # by Ruby's C API, which finds the very public method #resolve found
    # (nothing runs in between but the application's own
    # respond_to_guest?). Rules 2 and 3 do not judge a calling surface, so
    # no UnboundMethod is made for one per call.
    def self.call(resolved, object, args, kwargs)
      return REFLECTION.call_public(object, resolved, args, kwargs) if resolved.is_a?(Symbol)

      kwargs ? resolved.bind_call(object, *args, **kwargs) : resolved.bind_call(object, *args)
    end

    # What Ruby 3.1 bumps whenever it makes a class or module, or an
    # include, prepend, extend or singleton class (each makes one); nil on
    # a Ruby that does not count them, where nothing is remembered.
    ANCESTRY_SERIAL = (-> { RubyVM.stat(:class_serial) } if RubyVM.stat.key?(:class_serial))
    private_constant :ANCESTRY_SERIAL

    module_function

    # @param memo [Hash, nil] one invocation's earlier verdicts (see #memo)
    # @return [UnboundMethod, Symbol, nil] what the guest may call on
    #   +object+ (call it with ReflectionFloor.call): the method, or for a
    #   Proc or Method the name of its calling surface; nil when refused
    def resolve(object, name, memo = nil)
      return nil if DISPATCHERS[name]

      # Rule 1, whether this is a Proc or Method, and whether rule 5 has a
      # say, in one question (nothing of the application's runs between it
      # and the answers' use).
      facts = REFLECTION.facts(object, name)
      return nil if (facts & PUBLIC).zero?
      # Procs and Methods expose only their calling surface (rule 4).
      return (name if CALLABLE_METHODS[name] && guest_allowed?(object, name, facts)) if (facts & CALLABLE).positive?

      table = method_table(object)
      method = INSTANCE_METHOD.bind_call(table, name)
      allowed = remembered(memo, table, method) { application?(object, table, method) }
      method if allowed && guest_allowed?(object, name, facts)
    end

    # A memo for one invocation's #resolve calls: it skips re-judging a
    # method's body and owner (rules 2-4, the costly part) while the method
    # found is the very same definition and no ancestry anywhere changed
    # since. Visibility (rule 1) and respond_to_guest? (rule 5) are asked
    # on every call. Dropped when the invocation ends.
    def memo = ANCESTRY_SERIAL && {}.compare_by_identity

    def remembered(memo, table, method)
      return yield unless memo

      serial = ANCESTRY_SERIAL.call
      by_name = (memo[table] ||= {})
      verdict = by_name[method.name]
      return verdict[2] if verdict && verdict[0] == serial && verdict[1] == method

      yield.tap { |allowed| by_name[method.name] = [serial, method, allowed] }
    end

    # The class Ruby looks +object+'s methods up in: its singleton class
    # (made if it has none), so what the object itself narrows (a private
    # or undefined singleton method, an extended respond_to_guest?) counts.
    def method_table(object)
      # The VM's own lookup: no method of the object runs.
      class << object; self; end
    rescue TypeError # an Integer, Float or Symbol has no singleton class
      CLASS_OF.bind_call(object)
    end

    # Rules 2 and 3: not a dispatcher under its original name; its body
    # written by the application (not in C, not in Ruby's own files: an
    # alias or a define_method of a built-in method carries the built-in's
    # body, whatever its new name or owner); and owned by a module of the
    # application: one that is not built-in and not mixed into a built-in
    # one (a module included into Object or Enumerable is everyone's).
    def application?(object, table, method)
      return false if DISPATCHERS.key?(method.original_name)
      return false unless application_body?(object, method)

      attached = KIND_OF.bind_call(Module, object) ? Builtins.singleton_owners(object) : {}
      owner = method.owner
      ANCESTORS.bind_call(table).none? do |mod|
        Builtins.module?(mod, attached) && (mod.equal?(owner) || ANCESTORS.bind_call(mod).include?(owner))
      end
    end

    # A body in the application's own files; or a Struct's member
    # accessor, the one kind of C method an application defines.
    def application_body?(object, method)
      return !Builtins.method?(method) if method.source_location

      KIND_OF.bind_call(Struct, object) &&
        STRUCT_MEMBERS.bind_call(object).include?(method.name.to_s.delete_suffix("=").to_sym) &&
        method.name == method.original_name
    end

    # Rule 5: respond_to_guest?, of any visibility, has the last word.
    def guest_allowed?(object, name, facts)
      return true if (facts & GATED).zero?

      SEND.bind_call(object, :respond_to_guest?, name) ? true : false
    end
  end
end
