# frozen_string_literal: true

# case/in pattern matching: the compiler (guest/patches/0018) turns each
# `in` clause into a condition that calls these helpers for the parts a
# pattern cannot say in plain Ruby: deconstruct, deconstruct_keys, and the
# checks CRuby makes around them.

class NoMatchingPatternError < StandardError; end

class NoMatchingPatternKeyError < NoMatchingPatternError
  def initialize(message = nil, matchee: nil, key: nil)
    super(message)
    @matchee = matchee
    @key = key
  end

  attr_reader :matchee, :key
end

module Kobako
  module Pattern
    # The items of an array pattern's subject, or nil when it does not
    # match: `const === value` first (when the pattern names one), then
    # deconstruct, then the length (exactly `size`, or at least with a rest).
    def self.array(value, const, size, rest)
      return nil if const && !(const === value)
      return nil unless value.respond_to?(:deconstruct)

      items = value.deconstruct
      raise TypeError, "deconstruct must return Array" unless items.is_a?(Array)
      return nil if rest ? items.size < size : items.size != size

      items
    end

    def self.rest(items, pre, post) = items[pre, items.size - pre - post]

    # items[from...to], a find pattern's rest before or after its match
    def self.slice(items, from, to) = items[from...to]

    # The Hash a hash pattern's subject gives, or nil when it does not
    # match. mode: 0 the keys only, 1 with a **rest (deconstruct_keys(nil)),
    # 2 with **nil (no other key). `{}` matches an empty Hash only.
    def self.hash(value, const, keys, mode)
      return nil if const && !(const === value)
      return nil unless value.respond_to?(:deconstruct_keys)

      hash = value.deconstruct_keys(mode == 1 ? nil : keys)
      raise TypeError, "deconstruct_keys must return Hash" unless hash.is_a?(Hash)
      return nil unless keys.all? { |key| hash.key?(key) }
      return nil if (mode == 2 || (mode.zero? && keys.empty?)) && hash.size != keys.size

      hash
    end

    def self.except(hash, keys) = hash.reject { |key, _| keys.include?(key) }

    def self.no_match(value)
      raise NoMatchingPatternError, value.inspect
    end
  end
end

class Array
  def deconstruct = self
end

class Hash
  def deconstruct_keys(_keys) = self
end

class Struct
  def deconstruct = to_a

  def deconstruct_keys(keys)
    return to_h unless keys

    keys.each_with_object({}) do |key, out|
      out[key] = self[key] if key.is_a?(Symbol) && members.include?(key)
    end
  end
end
