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
      each do |x|
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
      each do |x|
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
      raise NoMethodError, "undefined method '#{name}' for #{inspect[0, 64]}"
    end

    __send__(name, *args, **kwargs, &block)
  end

  alias __kobako_Integer Integer
  def Integer(value, base = nil, exception: true)
    base ? __kobako_Integer(value, base) : __kobako_Integer(value)
  rescue ArgumentError, TypeError, RangeError
    raise if exception
  end

  alias __kobako_Float Float
  def Float(value, exception: true)
    __kobako_Float(value)
  rescue ArgumentError, TypeError, RangeError
    raise if exception
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

# A bare `module_function` turns the methods defined after it in that module
# into module functions, as in CRuby.
module Kobako
  MODULE_FUNCTION_SCOPES = {}
end

class Module
  alias __kobako_module_function module_function
  def module_function(*names)
    return __kobako_module_function(*names) unless names.empty?

    Kobako::MODULE_FUNCTION_SCOPES[self] = true
    nil
  end

  def method_added(name)
    __kobako_module_function(name) if Kobako::MODULE_FUNCTION_SCOPES[self]
  end
end
