# frozen_string_literal: true

# String methods whose mruby versions answer differently from CRuby 3.1:
# case mapping beyond ASCII, and tr_s/squeeze with character sets.
module Kobako
  # Case pairs beyond ASCII: Latin-1, Greek and Cyrillic (the scripts
  # everyday text uses), by code point ranges of equal length.
  module CaseMap
    RANGES = [[0xC0..0xD6, 0xE0], [0xD8..0xDE, 0xF8], [0x391..0x3A1, 0x3B1], [0x3A3..0x3A9, 0x3C3],
              [0x410..0x42F, 0x430], [0x400..0x40F, 0x450]].freeze
    UP = {}
    DOWN = {}
    RANGES.each do |uppers, lower_start|
      uppers.each_with_index do |upper, i|
        u = [upper].pack("U")
        l = [lower_start + i].pack("U")
        UP[l] = u
        DOWN[u] = l
      end
    end
    UP["ς"] = "Σ"
    UP["ÿ"] = "Ÿ"
    DOWN["Ÿ"] = "ÿ"
    UP["ß"] = "SS"

    def self.map(text, table)
      text.each_char.map { |c| table[c] || c }.join
    end

    # Whether +text+ has characters beyond ASCII (binary Strings have none).
    def self.wide?(text) = text.bytesize != text.size
  end

  # A character set in tr's syntax: "a-z" ranges, "^" negating the rest,
  # backslash escaping "-", "^" and itself.
  class CharSet
    def initialize(spec)
      chars = spec.to_s.chars
      @negated = chars.size > 1 && chars[0] == "^"
      chars.shift if @negated
      @singles = {}
      @ranges = []
      i = 0
      while i < chars.size
        c = chars[i]
        if c == "\\" && i + 1 < chars.size
          i += 1
          c = chars[i]
        elsif i + 2 < chars.size && chars[i + 1] == "-"
          @ranges << (c.ord..chars[i + 2].ord)
          i += 3
          next
        end
        @singles[c] = true
        i += 1
      end
    end

    def include?(char)
      hit = @singles.key?(char) || @ranges.any? { |range| range.cover?(char.ord) }
      @negated ? !hit : hit
    end
  end
end

class String
  alias __kobako_upcase upcase
  alias __kobako_downcase downcase
  alias __kobako_capitalize capitalize
  alias __kobako_swapcase swapcase

  def upcase(*)
    text = __kobako_upcase
    Kobako::CaseMap.wide?(text) ? Kobako::CaseMap.map(text, Kobako::CaseMap::UP) : text
  end

  def downcase(*)
    text = __kobako_downcase
    Kobako::CaseMap.wide?(text) ? Kobako::CaseMap.map(text, Kobako::CaseMap::DOWN) : text
  end

  def capitalize(*)
    return __kobako_capitalize unless Kobako::CaseMap.wide?(self)
    return dup if empty?

    first = self[0]
    "#{Kobako::CaseMap::UP[first] || first.__kobako_upcase}#{self[1..].downcase}"
  end

  def swapcase(*)
    return __kobako_swapcase unless Kobako::CaseMap.wide?(self)

    each_char.map do |c|
      Kobako::CaseMap::UP[c] || Kobako::CaseMap::DOWN[c] || c.__kobako_swapcase
    end.join
  end

  %i[upcase downcase capitalize swapcase].each do |name|
    define_method(:"#{name}!") do |*args|
      changed = __send__(name, *args)
      changed == self ? nil : replace(changed)
    end
  end

  # Translates as tr does, then squeezes runs of the same translated
  # character (CRuby squeezes only characters it translated).
  def tr_s(from, to)
    set = Kobako::CharSet.new(from)
    out = +""
    previous = nil
    each_char do |c|
      if set.include?(c)
        translated = c.tr(from, to)
        out << translated unless translated == previous
        previous = translated
      else
        out << c
        previous = nil
      end
    end
    out
  end

  def tr_s!(from, to)
    changed = tr_s(from, to)
    changed == self ? nil : replace(changed)
  end

  alias __kobako_squeeze squeeze

  # With sets (tr's syntax: ranges, ^negation), squeezes only characters
  # in all of them.
  def squeeze(*sets)
    return __kobako_squeeze if sets.empty?

    sets = sets.map { |spec| Kobako::CharSet.new(spec) }
    out = +""
    previous = nil
    each_char do |c|
      next if c == previous && sets.all? { |set| set.include?(c) }

      out << c
      previous = c
    end
    out
  end

  def squeeze!(*sets)
    changed = squeeze(*sets)
    changed == self ? nil : replace(changed)
  end
end

class Hash
  # Equal Hashes hash alike, whatever their order (pairs are combined with
  # XOR, which does not depend on it).
  def hash
    code = size.hash
    each { |key, value| code ^= [key, value].hash }
    code
  end
end
