# frozen_string_literal: true

# Entry points the glue calls for Kobako::Sandbox#run.
module Kernel
  private

  # Remembers the constants of the booted interpreter (src/eval.c calls it
  # once, at boot), so a missing entrypoint can list what the snippets
  # defined: every constant but these and the services' namespaces.
  def __kobako_mark_constants
    $__kobako_builtin_constants = Object.constants
    nil
  end

  def __kobako_run(name, args, kwargs)
    unless Object.const_defined?(name)
      services = ($__kobako_services || []).map { |namespace, _members| namespace.to_sym }
      available = (Object.constants - ($__kobako_builtin_constants || []) - services).sort
      error = NameError.new("undefined entrypoint: #{name}")
      error.instance_variable_set(:@__kobako_details, { "available" => available })
      raise error
    end
    target = Object.const_get(name)
    raise NoMethodError, "#{name} does not respond to :call" unless target.respond_to?(:call)

    kwargs.empty? ? target.call(*args) : target.call(*args, **kwargs)
  end
end
