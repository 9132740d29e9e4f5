# frozen_string_literal: true

# Entry points the glue calls for Kobako::Sandbox#run.
module Kernel
  private

  # Remembers the constants that exist before the preloaded snippets run, so
  # a missing entrypoint can list what the snippets defined.
  def __kobako_mark_constants
    $__kobako_builtin_constants = Object.constants
    nil
  end

  def __kobako_run(name, args, kwargs)
    unless Object.const_defined?(name)
      available = (Object.constants - ($__kobako_builtin_constants || [])).sort
      error = NameError.new("undefined entrypoint: #{name}")
      error.instance_variable_set(:@__kobako_details, { "available" => available })
      raise error
    end
    target = Object.const_get(name)
    raise NoMethodError, "#{name} does not respond to :call" unless target.respond_to?(:call)

    kwargs.empty? ? target.call(*args) : target.call(*args, **kwargs)
  end
end
