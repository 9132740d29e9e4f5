# frozen_string_literal: true

# JSON as CRuby 3.1's json 2.6 answers: JSON.parse (read by serde_json in
# the guest's Rust crate, guest/src/json.rs), and a generator written here
# so that the `to_json` methods a script defines take part, as in CRuby.
module JSON
  class JSONError < StandardError; end
  class ParserError < JSONError; end
  class NestingError < ParserError; end
  class GeneratorError < JSONError; end

  # Options of JSON.pretty_generate.
  PRETTY = { indent: "  ", space: " ", object_nl: "\n", array_nl: "\n" }.freeze

  # The text +source+ as a Ruby value. Objects become Hashes (with Symbol
  # keys when +symbolize_names+ is set), numbers Integers or Floats.
  def self.parse(source, opts = nil)
    options = opts.is_a?(Hash) ? opts : {}
    source = source.to_str if !source.is_a?(String) && source.respond_to?(:to_str)
    raise TypeError, "no implicit conversion of #{JSON.type_name(source)} into String" unless source.is_a?(String)

    __parse(source, options[:symbolize_names] ? true : false)
  end

  def self.parse!(source, opts = nil) = parse(source, opts)

  # Like parse, but nil (or an empty text) is nil, as JSON.load does.
  def self.load(source, _proc = nil, _options = nil)
    source = source.read if source.respond_to?(:read)
    return nil if source.nil? || source.empty?

    parse(source)
  end

  def self.generate(obj, opts = nil)
    State.new(opts.to_h).generate(obj)
  end

  def self.pretty_generate(obj, opts = nil)
    State.new(PRETTY.merge(opts.to_h)).generate(obj)
  end

  # Like generate, but NaN and Infinity are written as such.
  def self.dump(obj, io = nil, _limit = nil)
    text = State.new(allow_nan: true).generate(obj)
    return text unless io

    io.write(text)
    io
  end

  def self.[](object, opts = {})
    object.is_a?(String) ? parse(object, opts) : generate(object, opts)
  end

  def self.type_name(value)
    case value
    when nil then "nil"
    when true then "true"
    when false then "false"
    else value.class.to_s
    end
  end

  ESCAPES = {
    '"' => '\"', "\\" => "\\\\", "\b" => '\b', "\f" => '\f', "\n" => '\n', "\r" => '\r', "\t" => '\t'
  }.freeze
  # (Made on first use: the Regexp gem loads after this one.)
  def self.needs_escape = @needs_escape ||= Regexp.new('["\\\\\\x00-\\x1f]')

  # +string+ as a JSON string literal.
  def self.quote(string)
    unless string.dup.force_encoding("UTF-8").valid_encoding?
      raise GeneratorError, "source sequence is illegal/malformed utf-8"
    end
    return "\"#{string}\"" unless needs_escape.match?(string)

    escaped = string.gsub(needs_escape) { |c| ESCAPES[c] || format('\u%04x', c.ord) }
    "\"#{escaped}\""
  end

  # How a generate call writes: its layout options and the nesting depth
  # it is at (a to_json method that calls to_json again carries it on).
  class State
    attr_reader :indent, :space, :object_nl, :array_nl, :depth

    def self.from(state)
      state.is_a?(State) ? state : new(state.to_h)
    end

    def initialize(options = {})
      @indent = options[:indent] || ""
      @space = options[:space] || ""
      @object_nl = options[:object_nl] || ""
      @array_nl = options[:array_nl] || ""
      @allow_nan = options[:allow_nan] ? true : false
      max = options[:max_nesting]
      @max_nesting = max.nil? ? 100 : (max || 0)
      @depth = options[:depth] || 0
    end

    def allow_nan? = @allow_nan

    def generate(obj)
      case obj
      when Hash then object(obj)
      when Array then array(obj)
      when String then JSON.quote(obj)
      when Integer then obj.to_s
      when Float then float(obj)
      when nil then "null"
      when true then "true"
      when false then "false"
      else
        obj.respond_to?(:to_json) ? obj.to_json(self).to_s : JSON.quote(obj.to_s)
      end
    end

    private

    # One level deeper (refused past max_nesting, which also stops a
    # structure that contains itself); returns the new depth.
    def descend
      depth = @depth + 1
      raise NestingError, "nesting of #{depth} is too deep" if @max_nesting.positive? && depth > @max_nesting

      @depth = depth
    end

    # Loops rather than blocks: each level of nesting costs two frames, so
    # 100 levels stay far from mruby's call depth limit.
    def object(hash)
      depth = descend
      begin
        inner = @indent * depth
        body = []
        pairs = hash.to_a
        i = 0
        while i < pairs.size
          key, value = pairs[i]
          body << "#{@object_nl}#{inner}#{JSON.quote(key.to_s)}:#{@space}#{generate(value)}"
          i += 1
        end
        "{#{body.join(',')}#{@object_nl}#{@indent * (depth - 1)}}"
      ensure
        @depth = depth - 1
      end
    end

    def array(items)
      depth = descend
      begin
        inner = @indent * depth
        body = []
        i = 0
        while i < items.size
          body << "#{inner}#{generate(items[i])}"
          i += 1
        end
        "[#{@array_nl}#{body.join(",#{@array_nl}")}#{@array_nl}#{@indent * (depth - 1)}]"
      ensure
        @depth = depth - 1
      end
    end

    def float(number)
      if number.nan? || number.infinite?
        return number.to_s if @allow_nan

        raise GeneratorError, "#{number} not allowed in JSON"
      end
      number.to_s
    end
  end
end

class Object
  def to_json(*) = JSON.quote(to_s)
end

[Hash, Array, String, Integer, Float, NilClass, TrueClass, FalseClass].each do |klass|
  klass.class_eval do
    def to_json(state = nil, *) = JSON::State.from(state).generate(self)
  end
end

module Kernel
  private

  def JSON(object, opts = {}) = JSON[object, opts]
end
