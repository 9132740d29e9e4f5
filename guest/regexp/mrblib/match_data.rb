# frozen_string_literal: true

# MatchData's Ruby-level API; group access by number, offsets and template
# expansion are in src/regexp.c.
class MatchData
  def captures
    (1...size).map { |i| self[i] }
  end

  def to_a
    (0...size).map { |i| self[i] }
  end

  def names
    regexp.names
  end

  def named_captures
    names.map { |name| [name, __named(name)] }.to_h
  end

  def values_at(*indexes)
    indexes.flat_map { |index| index.is_a?(Range) ? to_a[index] : [self[index]] }
  end

  def begin(group)
    offset(group)[0]
  end

  def end(group)
    offset(group)[1]
  end

  def offset(group)
    __offset(__group_number(group))
  end

  def to_s
    self[0]
  end

  def inspect
    groups = names.empty? ? captures.each_with_index.map { |c, i| "#{i + 1}:#{c.inspect}" } : names.map { |n| "#{n}:#{__named(n).inspect}" }
    "#<MatchData #{self[0].inspect}#{groups.map { |g| " #{g}" }.join}>"
  end

  def ==(other)
    other.is_a?(MatchData) && regexp == other.regexp && string == other.string && to_a == other.to_a &&
      byteoffset(0) == other.byteoffset(0)
  end
  alias eql? ==

  def deconstruct
    captures
  end

  def deconstruct_keys(keys)
    wanted = keys ? keys.map(&:to_s) & names : names
    wanted.map { |name| [name.to_sym, __named(name)] }.to_h
  end

  private

  # [] with a name, a negative or out-of-range number, a range or start and
  # length; the plain number case is in C, as is __group_number.
  def __aref(index, length = nil)
    return to_a[index, length] if length
    return to_a[index] if index.is_a?(Range)
    return __named(index.to_s) if index.is_a?(String) || index.is_a?(Symbol)

    raise TypeError, "no implicit conversion of #{index.class} into Integer"
  end
end
