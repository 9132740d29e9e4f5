# frozen_string_literal: true

# Regexp's Ruby-level API over the C primitives in src/regexp.c.
#
# $~ is one global per invocation (the guest has no per-frame backref):
# every matching method sets it, and $1, $&, $`, $' and $+ read it through
# Regexp.last_match (the compiler is patched to compile them so).
class Regexp
  class << self
    # Characters that mean something in a pattern, and how they are written
    # literally.
    ESCAPES = {
      "\n" => "\\n", "\t" => "\\t", "\r" => "\\r", "\f" => "\\f", "\v" => "\\v", " " => "\\ "
    }.freeze
    SPECIAL = ".*?+^$|()[]{}\\-#".freeze

    def escape(string)
      string = string.to_s if string.is_a?(Symbol)
      string.each_char.map do |char|
        if (escaped = ESCAPES[char]) then escaped
        elsif SPECIAL.include?(char) then "\\#{char}"
        else char
        end
      end.join
    end
    alias quote escape

    def union(*patterns)
      patterns = patterns.first if patterns.size == 1 && patterns.first.is_a?(Array)
      return new("(?!)") if patterns.empty?
      return __coerce(patterns.first) if patterns.size == 1

      new(patterns.map { |pattern| pattern.is_a?(Regexp) ? pattern.to_s : escape(pattern) }.join("|"))
    end

    def last_match(group = nil)
      match = $~
      return match if group.nil?

      match && match[group]
    end

    def __back_ref(kind)
      match = $~
      return nil unless match

      case kind
      when :& then match[0]
      when :` then match.pre_match
      when :"'" then match.post_match
      when :+ then match.captures.compact.last
      end
    end

    # A pattern argument: a Regexp as it is, a String matched literally.
    def __coerce(pattern)
      case pattern
      when Regexp then pattern
      when String then compile(escape(pattern))
      when Symbol then compile(escape(pattern.to_s))
      else raise TypeError, "wrong argument type #{pattern.class} (expected Regexp)"
      end
    end
  end

  def names
    __names.keys
  end

  def named_captures
    __names.map { |name, groups| [name, groups.dup] }.to_h
  end

  def casefold?
    (options & IGNORECASE) != 0
  end

  def match(string, pos = 0)
    if string.nil?
      $~ = nil
      return nil
    end
    string = string.to_s if string.is_a?(Symbol)
    match = __search(string, string.__byte_index_of(pos), false)
    $~ = match
    return match unless block_given?

    match && yield(match)
  end

  def match?(string, pos = 0)
    return false if string.nil?

    string = string.to_s if string.is_a?(Symbol)
    __match_p(string, string.__byte_index_of(pos))
  end

  def ===(other)
    return false unless other.is_a?(String) || other.is_a?(Symbol)

    !(self =~ other).nil?
  end

  def ==(other)
    other.is_a?(Regexp) && source == other.source && options == other.options
  end
  alias eql? ==

  def hash
    [source, options].hash
  end

  def to_s
    on = __option_letters(options)
    off = __option_letters(~options & (IGNORECASE | EXTENDED | MULTILINE))
    "(?#{on}#{off.empty? ? "" : "-#{off}"}:#{source})"
  end

  def inspect
    "/#{source.gsub(%r{(\\.)|/}) { $1 || "\\/" }}/#{__option_letters(options)}"
  end

  private

  def __option_letters(options)
    letters = String.new
    letters << "m" if options & MULTILINE != 0
    letters << "i" if options & IGNORECASE != 0
    letters << "x" if options & EXTENDED != 0
    letters
  end
end
