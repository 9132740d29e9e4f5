# frozen_string_literal: true

require_relative "test_helper"

# SPEC §4: a String keeps its encoding (UTF-8 or binary) in every direction.
class EncodingTest < Minitest::Test
  SAMPLES = ["abc".b, "\xff\x00\xfe".b, "h\u00e9llo".b, "h\u00e9llo", "", "".b, "nul\x00inside"].freeze

  def setup
    @sandbox = Kobako::Sandbox.new
    @sandbox.define(:Host).bind(:Echo, ->(x) { x }).bind(:Encoding, ->(x) { x.encoding.to_s })
    @sandbox.preload(code: "Id = ->(x) { x }", name: :Id)
    @sandbox.preload(code: "ViaHost = ->(x) { Host::Echo.call(x) }", name: :ViaHost)
  end

  def assert_same_string(expected, actual, why = nil)
    assert_equal expected.bytes, actual.bytes, why
    assert_equal expected.encoding, actual.encoding, why || "encoding of #{expected.inspect}"
  end

  def test_run_arguments_come_back_with_their_encoding
    SAMPLES.each { |s| assert_same_string s, @sandbox.run(:Id, s) }
  end

  def test_service_arguments_and_results_keep_their_encoding
    SAMPLES.each { |s| assert_same_string s, @sandbox.run(:ViaHost, s) }
    assert_equal %w[ASCII-8BIT UTF-8], @sandbox.eval('[Host::Encoding.call("abc".b), Host::Encoding.call("abc")]')
  end

  def test_nested_binary_strings_keep_their_encoding
    value = { "k".b => ["v".b, { v: "w" }] }
    result = @sandbox.run(:Id, value)
    key = result.keys.first
    assert_same_string "k".b, key
    assert_same_string "v".b, result[key][0]
    assert_same_string "w", result[key][1][:v]
  end

  def test_the_guest_knows_a_strings_encoding
    result = @sandbox.eval(<<~'RUBY')
      b = "héllo".b
      [b.encoding.to_s, "héllo".encoding.to_s, b.size, "héllo".size,
       b.dup.encoding.to_s, b.byteslice(0, 2).encoding.to_s]
    RUBY
    assert_equal ["ASCII-8BIT", "UTF-8", 6, 5, "ASCII-8BIT", "ASCII-8BIT"], result
  end

  def test_the_guest_can_make_and_unmake_binary_strings
    assert_same_string "abc".b, @sandbox.eval('"abc".b')
    assert_same_string "abc".b, @sandbox.eval('"abc".force_encoding(Encoding::BINARY)')
    assert_same_string "abc", @sandbox.eval('"abc".b.force_encoding("UTF-8")')
    assert_same_string "\xff".b, @sandbox.eval('"\xff"'), "bytes that are not UTF-8 are binary"
    assert_equal [true, false, true],
                 @sandbox.eval('["\xff".b.valid_encoding?, "\xff".valid_encoding?, "é".valid_encoding?]')
  end

  def test_encode_converts_ascii_and_refuses_the_rest
    assert_same_string "abc", @sandbox.eval('"abc".b.encode("UTF-8")')
    assert_equal "Encoding::UndefinedConversionError",
                 @sandbox.eval('begin; "é".b.encode("UTF-8"); rescue EncodingError => e; e.class.to_s; end')
    assert_equal "ArgumentError",
                 @sandbox.eval('begin; "a".force_encoding("EBCDIC"); rescue ArgumentError => e; e.class.to_s; end')
  end
end
