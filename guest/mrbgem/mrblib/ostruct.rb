# frozen_string_literal: true

# OpenStruct: a Hash of attributes read and written as methods.
class OpenStruct
  def initialize(hash = nil)
    @table = {}
    hash&.each_pair { |key, value| @table[key.to_sym] = value }
  end

  def [](name) = @table[name.to_sym]

  def []=(name, value)
    @table[name.to_sym] = value
  end

  def to_h(&block) = block ? @table.to_h(&block) : @table.dup
  def each_pair(&block) = block ? (@table.each_pair(&block) && self) : @table.each_pair
  def dig(name, *rest) = @table.dig(name.to_sym, *rest)
  def delete_field(name) = @table.delete(name.to_sym)

  def respond_to_missing?(name, include_private = false)
    @table.key?(name.to_s.chomp("=").to_sym) || super
  end

  def method_missing(name, *args)
    text = name.to_s
    if text.end_with?("=") && args.size == 1
      @table[text.chomp("=").to_sym] = args[0]
    elsif args.empty?
      @table[name]
    else
      super
    end
  end

  def ==(other) = other.is_a?(OpenStruct) && to_h == other.to_h
  alias eql? ==
  def hash = @table.hash

  def inspect
    fields = @table.map { |key, value| " #{key}=#{value.inspect}" }.join(",")
    "#<OpenStruct#{fields}>"
  end
  alias to_s inspect
end
