# frozen_string_literal: true

module Kobako
  # Names and messages of host exceptions, for the guest and for
  # Kobako::Error fields: always a UTF-8 String, whatever the exception's
  # own #message does (raise, return a non-String, carry invalid bytes).
  module ErrorText
    NAME = Module.instance_method(:name)
    INSPECT = Module.instance_method(:inspect)
    SUPERCLASS = Class.instance_method(:superclass)
    private_constant :NAME, :INSPECT, :SUPERCLASS

    module_function

    # The class's own name ("RangeError"), or its nearest named ancestor's
    # for an anonymous class; never "#<Class:...>".
    def class_name(klass)
      while klass
        name = NAME.bind_call(klass)
        return utf8(name) if name

        klass = SUPERCLASS.bind_call(klass)
      end
      "Exception"
    end

    def message(exception)
      text = exception.message
      text.is_a?(String) ? utf8(text) : "(#{class_name(exception.class)} with a #{class_name(text.class)} message)"
    rescue SignalException, SystemExit
      raise # the host stopping, not the message failing
    rescue Exception # rubocop:disable Lint/RescueException -- whatever a #message raises, even Exception itself
      "(#{class_name(exception.class)} whose message raised)"
    end

    def utf8(text)
      unless [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].include?(text.encoding)
        text = text.encode(Encoding::UTF_8, invalid: :replace, undef: :replace)
      end
      text = text.dup.force_encoding(Encoding::UTF_8)
      text.valid_encoding? ? text : text.scrub
    end
  end
end
