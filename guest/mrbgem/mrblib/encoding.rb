# frozen_string_literal: true

# The guest's encodings: a String is UTF-8 text or binary (ASCII-8BIT) data.
# Binary Strings count and index bytes, and leave the sandbox as binary.
class EncodingError < StandardError; end

class Encoding
  attr_reader :name

  def initialize(name, *aliases)
    @name = name
    @names = [name, *aliases].freeze
  end

  def names
    @names.dup
  end

  def to_s
    name
  end

  def inspect
    "#<Encoding:#{name}>"
  end

  def ascii_compatible?
    true
  end

  UTF_8 = new("UTF-8", "CP65001")
  ASCII_8BIT = new("ASCII-8BIT", "BINARY")
  BINARY = ASCII_8BIT
  US_ASCII = new("US-ASCII", "ASCII", "ANSI_X3.4-1968", "646")
  LIST = [UTF_8, ASCII_8BIT, US_ASCII].freeze

  class CompatibilityError < EncodingError; end
  class UndefinedConversionError < EncodingError; end
  class InvalidByteSequenceError < EncodingError; end
  class ConverterNotFoundError < EncodingError; end

  def self.list
    LIST.dup
  end

  def self.find(name)
    return name if name.is_a?(Encoding)

    wanted = name.to_s.upcase
    LIST.find { |enc| enc.names.any? { |n| n.upcase == wanted } } ||
      raise(ArgumentError, "unknown encoding name - #{name}")
  end

  def self.default_external
    UTF_8
  end

  def self.default_internal
    nil
  end
end

class String
  def encoding
    __kobako_binary? ? Encoding::ASCII_8BIT : Encoding::UTF_8
  end

  # US-ASCII is kept as UTF-8, its superset.
  def force_encoding(encoding)
    __kobako_set_binary(Encoding.find(encoding).equal?(Encoding::ASCII_8BIT))
  end

  def b
    dup.__kobako_set_binary(true)
  end

  def valid_encoding?
    __kobako_binary? || __kobako_valid_utf8?
  end

  def ascii_only?
    bytes.all? { |byte| byte < 0x80 }
  end

  # Between the two encodings only ASCII converts; anything else raises, as
  # converting it would change the bytes' meaning.
  def encode(encoding = Encoding::UTF_8, **_options)
    target = Encoding.find(encoding)
    return dup if target.equal?(self.encoding)
    return dup.force_encoding(target) if ascii_only?

    raise Encoding::UndefinedConversionError, "#{self.encoding} to #{target} cannot convert #{inspect}"
  end
end
