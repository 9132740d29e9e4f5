# frozen_string_literal: true

# String's pattern methods on Regexp. A String pattern is matched literally,
# through the same engine, so every method sets $~ the same way.
class String
  alias __kobako_split split
  alias __kobako_index index
  alias __kobako_rindex rindex
  alias __kobako_aref []
  alias __kobako_slice! slice!
  alias __kobako_start_with? start_with?
  alias __kobako_partition partition
  alias __kobako_rpartition rpartition

  # The byte offset of character index `pos` (negative counts from the
  # end); past the end when `pos` is out of range.
  def __byte_index_of(pos)
    return 0 if pos == 0

    chars = size
    pos += chars if pos < 0
    return bytesize + 1 if pos < 0 || pos > chars

    pos == chars ? bytesize : __kobako_aref(0, pos).bytesize
  end

  def =~(other)
    raise TypeError, "wrong argument type String (expected Regexp)" if other.is_a?(String)

    other =~ self
  end

  def match(pattern, pos = 0, &block)
    Regexp.__coerce(pattern).match(self, pos, &block)
  end

  def match?(pattern, pos = 0)
    Regexp.__coerce(pattern).match?(self, pos)
  end

  def scan(pattern)
    re = Regexp.__coerce(pattern)
    found = block_given? ? nil : []
    pos = 0
    last = nil
    while pos <= bytesize && (match = re.__search(self, pos, false))
      last = match
      pos = match.__next_pos
      item = match.size == 1 ? match[0] : match.captures
      if found
        found << item
      else
        $~ = match
        yield item
      end
    end
    $~ = last
    found || self
  end

  def sub(pattern, *replacement, &block)
    __kobako_substitute(pattern, replacement, block, false) || dup
  end

  def gsub(pattern, *replacement, &block)
    return to_enum(:gsub, pattern) if replacement.empty? && !block

    __kobako_substitute(pattern, replacement, block, true) || dup
  end

  def sub!(pattern, *replacement, &block)
    raise FrozenError, "can't modify frozen String: #{inspect}" if frozen?

    result = __kobako_substitute(pattern, replacement, block, false)
    result && replace(result)
  end

  def gsub!(pattern, *replacement, &block)
    raise FrozenError, "can't modify frozen String: #{inspect}" if frozen?
    return to_enum(:gsub!, pattern) if replacement.empty? && !block

    result = __kobako_substitute(pattern, replacement, block, true)
    result && replace(result)
  end

  def split(pattern = nil, limit = 0, &block)
    return __kobako_split(pattern, limit, &block) unless pattern.is_a?(Regexp)

    fields = __kobako_split_regexp(pattern, limit)
    return fields unless block

    fields.each(&block)
    self
  end

  def index(pattern, pos = 0)
    return __kobako_index(pattern, pos) unless pattern.is_a?(Regexp)

    match = pattern.match(self, pos)
    match&.begin(0)
  end

  def rindex(pattern, pos = nil)
    unless pattern.is_a?(Regexp)
      return pos.nil? ? __kobako_rindex(pattern) : __kobako_rindex(pattern, pos)
    end

    start = pos.nil? ? bytesize : __byte_index_of([pos, size].min)
    return nil if start > bytesize

    match = pattern.__search(self, start, true)
    $~ = match
    match&.begin(0)
  end

  def [](*args)
    return __kobako_aref(*args) unless args.first.is_a?(Regexp)

    match = args.first.match(self)
    match && match[args[1] || 0]
  end
  alias slice []

  def slice!(*args)
    return __kobako_slice!(*args) unless args.first.is_a?(Regexp)

    match = args.first.match(self)
    return nil unless match

    group = args[1] || 0
    piece = match[group]
    return nil unless piece

    b, e = match.byteoffset(match.__group_number(group))
    replace(byteslice(0, b) + byteslice(e, bytesize - e))
    piece
  end

  def start_with?(*prefixes)
    prefixes.any? do |prefix|
      if prefix.is_a?(Regexp)
        match = prefix.__search(self, 0, false)
        next false unless match && match.byteoffset(0)[0].zero?

        $~ = match
        true
      else
        __kobako_start_with?(prefix)
      end
    end
  end

  def partition(pattern)
    return __kobako_partition(pattern) unless pattern.is_a?(Regexp)

    match = pattern.match(self)
    match ? [match.pre_match, match[0], match.post_match] : [dup, "", ""]
  end

  def rpartition(pattern)
    return __kobako_rpartition(pattern) unless pattern.is_a?(Regexp)

    rindex(pattern)
    match = $~
    match ? [match.pre_match, match[0], match.post_match] : ["", "", dup]
  end

  private

  # The result of sub/gsub, or nil when nothing matched.
  def __kobako_substitute(pattern, replacement, block, global)
    if replacement.size > 1 || (replacement.empty? && !block)
      raise ArgumentError, "wrong number of arguments (given #{replacement.size + 1}, expected 2)"
    end

    re = Regexp.__coerce(pattern)
    hash = replacement.first if replacement.first.is_a?(Hash)
    template = replacement.first.to_str unless replacement.empty? || hash
    out = nil
    copied = 0
    pos = 0
    last = nil
    while pos <= bytesize && (match = re.__search(self, pos, false))
      last = match
      out ||= String.new
      b, e = match.byteoffset(0)
      out << byteslice(copied, b - copied)
      out <<
        if template then match.__expand(template)
        elsif hash then hash[match[0]].to_s
        else
          $~ = match
          block.call(match[0]).to_s
        end
      copied = e
      pos = match.__next_pos
      break unless global
    end
    $~ = last
    return nil unless out

    out << byteslice(copied, bytesize - copied)
  end

  # Ruby's split by a pattern: captures are kept, an empty match splits
  # between characters, and a limit caps the fields.
  def __kobako_split_regexp(re, limit)
    if limit == 1
      return empty? ? [] : [dup]
    end

    fields = []
    start = field = 0
    last_empty = false
    count = 1
    len = bytesize
    while start <= len && (match = re.__search(self, start, false))
      b, e = match.byteoffset(0)
      if start == b && b == e
        if len == 0
          fields << ""
          break
        elsif last_empty
          fields << byteslice(field, start - field)
          field = start
        else
          start = match.__next_pos
          last_empty = true
          next
        end
      else
        fields << byteslice(field, b - field)
        field = start = e
      end
      last_empty = false
      (1...match.size).each do |group|
        b, e = match.byteoffset(group)
        fields << byteslice(b, e - b) if b
      end
      count += 1
      break if limit > 0 && limit <= count
    end
    fields << byteslice(field, len - field) if len > 0 && (limit != 0 || len > field)
    fields.pop while limit == 0 && fields.last && fields.last.empty?
    fields
  end
end

class Symbol
  def =~(other)
    to_s =~ other
  end

  def match(pattern, pos = 0, &block)
    to_s.match(pattern, pos, &block)
  end

  def match?(pattern, pos = 0)
    to_s.match?(pattern, pos)
  end
end
