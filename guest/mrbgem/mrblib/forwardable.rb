# frozen_string_literal: true

# Forwardable: methods that pass their call on to an accessor's value.
module Forwardable
  def def_delegator(accessor, method, ali = method)
    accessor = accessor.to_s
    method = method.to_sym
    define_method(ali.to_sym) do |*args, **options, &block|
      target = accessor.start_with?("@") ? instance_variable_get(accessor) : __send__(accessor)
      target.__send__(method, *args, **options, &block)
    end
    ali.to_sym
  end
  alias delegate_method def_delegator
  alias def_instance_delegator def_delegator

  def def_delegators(accessor, *methods)
    methods.each { |method| def_delegator(accessor, method) unless %i[__send__ __id__].include?(method.to_sym) }
  end
  alias def_instance_delegators def_delegators

  # delegate [:size, :first] => :@items, :name => :owner
  def delegate(hash)
    hash.each do |methods, accessor|
      Array(methods).each { |method| def_delegator(accessor, method) }
    end
  end
  alias instance_delegate delegate
end

# SingleForwardable: the same, for one object's own methods.
module SingleForwardable
  def def_delegator(accessor, method, ali = method)
    singleton_class.extend(Forwardable)
    singleton_class.def_delegator(accessor, method, ali)
  end
  alias def_single_delegator def_delegator

  def def_delegators(accessor, *methods)
    methods.each { |method| def_delegator(accessor, method) }
  end
  alias def_single_delegators def_delegators
end
