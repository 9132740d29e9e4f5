# frozen_string_literal: true

module Kobako
  # Decides, on the host, which methods a guest may call on a bound object
  # or a Handle (SPEC §2 "Reflection floor"). The decision follows the method
  # that would actually run: its owner, not its name. A refusal looks exactly
  # like a missing method.
  module ReflectionFloor
    # Methods owned here are Ruby's reflection surface (send, instance_eval,
    # instance_variable_get, method, define_singleton_method, const_get,
    # binding, tap, extend, ...): calling them reaches past the object.
    META_OWNERS = [BasicObject, Kernel, Object, Module, Class].freeze

    # All a guest may call on a Proc or a Method.
    CALLABLE_METHODS = %i[call [] yield arity lambda?].freeze

    # Resolved with Kernel's own implementation, so an object cannot lie
    # about its methods by overriding public_method.
    PUBLIC_METHOD = Kernel.instance_method(:public_method)
    private_constant :PUBLIC_METHOD

    module_function

    # @return [Method, nil] the method the guest may call, or nil
    def resolve(object, name)
      return nil unless Kernel === object # rubocop:disable Style/CaseEquality -- BasicObject has no is_a?
      return nil if callable?(object) && !CALLABLE_METHODS.include?(name)

      method = PUBLIC_METHOD.bind_call(object, name)
      return nil if META_OWNERS.include?(method.owner)
      return nil if object.respond_to?(:respond_to_guest?) && !object.respond_to_guest?(name)

      method
    rescue NameError
      nil
    end

    def callable?(object)
      object.is_a?(Proc) || object.is_a?(Method) || object.is_a?(UnboundMethod)
    end
  end
end
