# frozen_string_literal: true

# Core methods everyday (and LLM-written) Ruby uses that mruby 3.2 lacks,
# written to answer as CRuby 3.1 does. Each is checked against the host Ruby
# by test/compat_test.rb.

class Integer
  def even? = (self & 1).zero?
  def odd? = (self & 1) == 1
  def pred = self - 1
  def fdiv(other) = to_f / other
  def integer? = true

  def gcd(other)
    raise TypeError, "not an integer" unless other.is_a?(Integer)

    a = abs
    b = other.abs
    a, b = b, a % b until b.zero?
    a
  end

  def lcm(other)
    return 0 if zero? || other.zero?

    (self / gcd(other) * other).abs
  end

  def bit_length
    n = negative? ? ~self : self
    bits = 0
    while n.positive?
      n >>= 1
      bits += 1
    end
    bits
  end

  def self.sqrt(n)
    n = Integer(n)
    raise Math::DomainError, 'Numerical argument is out of domain - "isqrt"' if n.negative?
    return n if n < 2

    x = Math.sqrt(n).to_i
    x -= 1 while x * x > n
    x += 1 while (x + 1) * (x + 1) <= n
    x
  end

  alias __kobako_pow **
  def **(other)
    return Rational(1, __kobako_pow(-other)) if other.is_a?(Integer) && other.negative? && !zero?

    __kobako_pow(other)
  end
end

class Numeric
  def integer? = false
end

class Float
  def integer? = false
end

class Rational
  def floor(digits = 0) = digits.zero? ? (numerator / denominator) : (self * 10**digits).floor.quo(10**digits)
  def ceil(digits = 0) = digits.zero? ? -(-numerator / denominator) : (self * 10**digits).ceil.quo(10**digits)
  def truncate = negative? ? ceil : floor

  # Halves round away from zero, as CRuby's default.
  def round(digits = 0)
    return (self * 10**digits).round.quo(10**digits) unless digits.zero?

    whole, rest = numerator.abs.divmod(denominator)
    whole += 1 if rest * 2 >= denominator
    negative? ? -whole : whole
  end
end

class Symbol
  def start_with?(*prefixes) = to_s.start_with?(*prefixes)
  def end_with?(*suffixes) = to_s.end_with?(*suffixes)
end

class String
  def unpack1(format) = unpack(format).first

  def sum(bits = 16)
    total = 0
    each_byte { |b| total += b }
    bits.positive? ? total & ((1 << bits) - 1) : total
  end

  def to_r
    text = strip
    if (m = text.match(/\A([+-]?\d+)\/(\d+)/))
      Rational(m[1].to_i, m[2].to_i)
    elsif (m = text.match(/\A([+-]?)(\d*)\.?(\d*)/)) && !(m[2].empty? && m[3].empty?)
      value = Rational((m[2] + m[3]).to_i, 10**m[3].size)
      m[1] == "-" ? -value : value
    else
      Rational(0, 1)
    end
  end

  alias __kobako_each_line each_line
  def each_line(separator = "\n", chomp: false, &block)
    unless block
      lines = []
      each_line(separator, chomp: chomp) { |line| lines << line }
      return lines.each
    end
    return __kobako_each_line(separator, &block) unless chomp

    __kobako_each_line(separator) { |line| block.call(line.chomp(separator)) }
    self
  end
end

module Enumerable
  def each_entry(&block)
    return to_enum(:each_entry) unless block

    each { |*x| block.call(x.size > 1 ? x : x[0]) }
    self
  end

  def grep_v(pattern, &block)
    rejected = reject { |x| pattern === x }
    block ? rejected.map(&block) : rejected
  end

  def to_set(*args, &block) = Set.new(self, *args, &block)

  def chunk_while(&block)
    return to_enum(:chunk_while) unless block

    slice_when { |a, b| !block.call(a, b) }
  end

  def slice_when(&block)
    Enumerator.new do |out|
      chunk = nil
      previous = nil
      # Several values yielded at once (each_with_index) travel as one Array.
      each do |*values|
        x = values.size == 1 ? values[0] : values
        if chunk.nil?
          chunk = [x]
        elsif block.call(previous, x)
          out << chunk
          chunk = [x]
        else
          chunk << x
        end
        previous = x
      end
      out << chunk if chunk
    end
  end

  def chunk(&block)
    return to_enum(:chunk) unless block

    Enumerator.new do |out|
      key = nil
      chunk = nil
      each do |*values|
        x = values.size == 1 ? values[0] : values
        k = block.call(x)
        if k.nil? || k == :_separator
          out << [key, chunk] if chunk
          chunk = nil
        elsif k == :_alone
          out << [key, chunk] if chunk
          out << [:_alone, [x]]
          chunk = nil
        elsif chunk && k == key
          chunk << x
        else
          out << [key, chunk] if chunk
          key = k
          chunk = [x]
        end
      end
      out << [key, chunk] if chunk
    end
  end

  alias __kobako_min_by min_by
  def min_by(count = nil, &block)
    return __kobako_min_by(&block) if count.nil?

    sort_by(&block).first(count)
  end

  alias __kobako_max_by max_by
  def max_by(count = nil, &block)
    return __kobako_max_by(&block) if count.nil?

    sort_by(&block).reverse.first(count)
  end
end

class Array
  alias __kobako_max max
  def max(count = nil, &block)
    return __kobako_max(&block) if count.nil?

    (block ? sort(&block) : sort).reverse.first(count)
  end

  alias __kobako_min min
  def min(count = nil, &block)
    return __kobako_min(&block) if count.nil?

    (block ? sort(&block) : sort).first(count)
  end
end

class Range
  alias __kobako_to_a to_a
  def to_a
    first = self.begin
    last = self.end
    if first.is_a?(Integer) && last.is_a?(Integer) && (last < first || (exclude_end? && last == first))
      return []
    end

    __kobako_to_a
  end

  def step(by = 1, &block)
    raise ArgumentError, "step can't be 0" if by.zero?
    raise ArgumentError, "step can't be negative" if by.negative?
    return to_enum(:step, by) unless block

    value = self.begin
    last = self.end
    while last.nil? || (exclude_end? ? value < last : value <= last)
      block.call(value)
      value += by
    end
    self
  end
end

class Enumerator
  # The size of an iteration over a sized collection; nil when unknown.
  def size
    sized = %i[each each_with_index each_with_object map collect flat_map select filter reject each_entry
               each_index each_key each_value each_pair]
    return nil unless sized.include?(meth) && obj.respond_to?(:size)

    obj.size
  end
end

class Hash
  alias __kobako_transform_keys transform_keys
  def transform_keys(mapping = nil, &block)
    return __kobako_transform_keys(&block) unless mapping

    each_with_object({}) do |(k, v), out|
      out[mapping.key?(k) ? mapping[k] : (block ? block.call(k) : k)] = v
    end
  end

  alias __kobako_to_h to_h
  def to_h(&block)
    return __kobako_to_h unless block

    each_with_object({}) do |(k, v), out|
      pair = block.call(k, v)
      out[pair[0]] = pair[1]
    end
  end
end

module Kernel
  def public_send(name, *args, **kwargs, &block)
    unless respond_to?(name)
      hidden = if self.class.private_method_defined?(name) then "private"
               elsif self.class.protected_method_defined?(name) then "protected"
               end
      raise NoMethodError.new("#{hidden || 'undefined'} method `#{name}' #{hidden ? 'called ' : ''}for #{inspect[0, 64]}", name)
    end

    __send__(name, *args, **kwargs, &block)
  end

  alias __kobako_Integer Integer
  def Integer(value, base = nil, exception: true)
    base ? __kobako_Integer(value, base) : __kobako_Integer(value)
  rescue ArgumentError, TypeError, RangeError => e
    return nil unless exception
    raise e unless e.is_a?(ArgumentError) && value.is_a?(String)

    raise ArgumentError, "invalid value for Integer(): #{value.inspect}"
  end

  alias __kobako_Float Float
  def Float(value, exception: true)
    __kobako_Float(value)
  rescue ArgumentError, TypeError, RangeError => e
    return nil unless exception
    raise e unless e.is_a?(ArgumentError) && value.is_a?(String)

    raise ArgumentError, "invalid value for Float(): #{value.inspect}"
  end

  alias __kobako_clone clone
  def clone(freeze: nil)
    copy = __kobako_clone
    return copy.dup if freeze == false && copy.frozen?

    freeze ? copy.freeze : copy
  end

  # Names the guest provides succeed; any other is a LoadError naming it.
  PROVIDED_FEATURES = %w[set enumerator rational complex json time stringio base64 ostruct forwardable].freeze
  def require(name)
    name = name.to_s
    return true if PROVIDED_FEATURES.include?(name)

    raise LoadError, "cannot load such file -- #{name}"
  end
end

class LoadError < ScriptError
  def path = nil
end
class IOError < StandardError; end
class EOFError < IOError; end

# A bare `module_function` makes the methods defined after it in that module
# callable on the module, as in CRuby. mruby has no such mode, and a
# method_added hook in Ruby would run on every `def` of every script, so the
# module remembers which methods it had then, and a module function is made
# on its first call instead.
module Kobako
  MODULE_FUNCTION_SCOPES = {}
end

class Module
  alias __kobako_module_function module_function
  def module_function(*names)
    return __kobako_module_function(*names) unless names.empty?

    Kobako::MODULE_FUNCTION_SCOPES[self] ||= instance_methods(false)
    nil
  end

  def method_missing(name, *args, **options, &block)
    before = Kobako::MODULE_FUNCTION_SCOPES[self]
    return super unless before && !before.include?(name) && instance_methods(false).include?(name)

    __kobako_module_function(name)
    __send__(name, *args, **options, &block)
  end

  def respond_to_missing?(name, include_private = false)
    before = Kobako::MODULE_FUNCTION_SCOPES[self]
    (before && !before.include?(name) && instance_methods(false).include?(name)) ? true : false
  end
end

class KeyError
  attr_reader :receiver, :key

  def initialize(message = nil, receiver: nil, key: nil)
    super(message)
    @receiver = receiver
    @key = key
  end
end

class Hash
  # CRuby's wording, and the KeyError knows its key and receiver.
  def fetch(key, *default, &block)
    return self[key] if key?(key)
    return block.call(key) if block
    return default[0] unless default.empty?

    raise KeyError.new("key not found: #{key.inspect}", receiver: self, key: key)
  end
end

class Struct
  # Initializes a keyword_init Struct from keywords.
  module KeywordInit
    def initialize(*args, **fields)
      # Struct's new hands the keywords over as one Hash.
      fields = args[0] if fields.empty? && args.size == 1 && args[0].is_a?(Hash)
      raise ArgumentError, "wrong number of arguments (given #{args.size}, expected 0)" if fields.empty? && !args.empty?

      unknown = fields.keys - self.class.members
      raise ArgumentError, "unknown keywords: #{unknown.join(', ')}" unless unknown.empty?

      super(*self.class.members.map { |member| fields[member] })
    end
  end

  class << self
    alias __kobako_new new
    def new(*members, keyword_init: nil, &block)
      return __kobako_new(*members, &block) unless keyword_init

      klass = __kobako_new(*members)
      klass.include(KeywordInit)
      # A Struct class's own new hands keywords to initialize as a Hash;
      # this one passes them on as keywords, for an initialize of the
      # block's that takes them.
      klass.define_singleton_method(:new) do |*args, **fields, &init_block|
        object = allocate
        object.__send__(:initialize, *args, **fields, &init_block)
        object
      end
      klass.class_eval(&block) if block
      klass
    end
  end

  alias __kobako_each_pair each_pair
  def each_pair(&block)
    return to_enum(:each_pair) unless block

    __kobako_each_pair(&block)
  end
end

class Float
  alias __kobako_round round

  # With digits, CRuby rounds half up by the decimal value people see:
  # 1.005.round(2) is 1.01 there, though 1.005 is a little less in binary.
  def round(ndigits = 0, half: nil)
    unless half.nil? && ndigits.is_a?(Integer) && ndigits.between?(1, 14) && finite?
      return half.nil? ? __kobako_round(ndigits) : __kobako_round(ndigits, half: half)
    end

    binexp = Math.frexp(self)[1]
    return self if ndigits >= 17 - (binexp.positive? ? binexp / 4 : -(-binexp / 3) - 1)
    return 0.0 if positive? && ndigits < -(binexp.positive? ? (binexp / 3) + 1 : -(-binexp / 4))

    scale = 10.0**ndigits
    rounded = (self * scale).__kobako_round.to_f
    if positive?
      rounded += 1 if (rounded + 0.5) / scale <= self
    elsif negative?
      rounded -= 1 if (rounded - 0.5) / scale >= self
    end
    rounded / scale
  end
end

class Exception
  # As CRuby 3.1 writes it without highlighting: where, message, class,
  # then the rest of the backtrace.
  def full_message(highlight: false, order: :top)
    lines = backtrace || []
    text = "#{lines.empty? ? '' : "#{lines[0]}: "}#{message} (#{self.class})"
    lines.drop(1).each { |line| text += "\n\tfrom #{line}" }
    "#{text}\n"
  end
end
