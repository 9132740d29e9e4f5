# frozen_string_literal: true

require_relative "test_helper"

class SandboxTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def test_eval_returns_the_last_expression
    assert_equal 3, @sandbox.eval("1 + 2")
  end

  def test_plain_values_cross_as_themselves
    assert_nil @sandbox.eval("nil")
    assert_equal true, @sandbox.eval("true")
    assert_equal false, @sandbox.eval("false")
    assert_equal (2**63) - 1, @sandbox.eval("9223372036854775807")
    assert_equal(-2**63, @sandbox.eval("-9223372036854775807 - 1"))
    assert_equal 1.5, @sandbox.eval("1.5")
    assert_equal :sym, @sandbox.eval(":sym")
    assert_equal [1, "two", [:three]], @sandbox.eval('[1, "two", [:three]]')
    assert_equal({ a: 1, "b" => [nil] }, @sandbox.eval('{a: 1, "b" => [nil]}'))
  end

  def test_hash_order_is_kept
    assert_equal %w[z a m], @sandbox.eval('{"z" => 1, "a" => 2, "m" => 3}').keys
  end

  def test_strings_keep_their_encoding
    utf8 = @sandbox.eval('"héllo"')
    assert_equal "héllo", utf8
    assert_equal Encoding::UTF_8, utf8.encoding
    assert_equal 5, @sandbox.eval('"héllo".size')
    binary = @sandbox.eval('"\xff\x00"')
    assert_equal Encoding::ASCII_8BIT, binary.encoding
    assert_equal "\xff\x00".b, binary
  end

  def test_special_floats
    assert_predicate @sandbox.eval("0.0 / 0.0"), :nan?
    assert_equal Float::INFINITY, @sandbox.eval("1.0 / 0")
    assert_equal(-Float::INFINITY, @sandbox.eval("-1.0 / 0"))
    negative_zero = @sandbox.eval("-0.0")
    assert_equal 0.0, negative_zero
    assert_predicate 1 / negative_zero, :negative?
  end

  def test_rescue_inside_the_guest
    assert_equal "x", @sandbox.eval("begin; raise 'x'; rescue => e; e.message; end")
  end

  def test_an_uncaught_exception_is_a_sandbox_error
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("def boom\n  1 / 0\nend\nboom") }
    assert_equal "ZeroDivisionError", error.klass
    assert_equal "divided by 0", error.message
    assert_equal "sandbox", error.origin
    assert_kind_of Array, error.backtrace_lines
    refute_empty error.backtrace_lines
    assert(error.backtrace_lines.all?(String))
    assert_equal({}, error.details)
  end

  def test_a_runaway_recursion_is_a_sandbox_error_with_a_bounded_backtrace
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("def f; f; end; f") }
    assert_equal "SystemStackError", error.klass
    assert_operator error.backtrace_lines.size, :<=, 64
    assert_equal 1, @sandbox.eval("1")
  end

  def test_a_syntax_error_is_a_sandbox_error
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("1 +") }
    assert_equal "SyntaxError", error.klass
    assert_match(/line 1/, error.message)
  end

  def test_a_value_with_no_wire_form_names_its_class
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("-> { 1 }") }
    assert_match(/Proc/, error.message)
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("[1, {a: Object.new}]") }
    assert_match(/Object/, error.message)
  end

  def test_integers_beyond_64_bits_are_refused_not_wrapped
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("2**64") }
    assert_match(/64-bit/, error.message)
    assert_equal true, @sandbox.eval("9223372036854775807 + 1 > 9223372036854775807")
  end

  def test_a_cyclic_structure_is_a_clear_error
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("a = []; a << a; a") }
    assert_match(/nesting/, error.message)
  end

  def test_source_must_be_a_string
    assert_raises(TypeError) { @sandbox.eval(:"1 + 1") }
    assert_raises(TypeError) { @sandbox.eval(nil) }
  end

  def test_each_invocation_starts_from_a_fresh_state
    @sandbox.eval("$g = 1; X = 2; class String; def shout = upcase; end")
    assert_equal [nil, false, false],
                 @sandbox.eval("[$g, Object.const_defined?(:X), ''.respond_to?(:shout)]")
  end

  def test_the_sandbox_is_usable_after_any_failure
    ["raise 'x'", "1 +", "-> {}", "def f; f; end; f", "exit", "Object.new"].each do |bad|
      assert_raises(Kobako::Error) { @sandbox.eval(bad) }
      assert_equal 42, @sandbox.eval("40 + 2"), "after #{bad.inspect}"
    end
  end

  def test_sandboxes_are_independent
    other = Kobako::Sandbox.new
    @sandbox.eval("puts 'one'")
    other.eval("puts 'two'")
    assert_equal "one\n", @sandbox.stdout
    assert_equal "two\n", other.stdout
  end

  def test_the_core_extension_gems_are_there
    result = @sandbox.eval(<<~'RUBY')
      klass = Class.new { define_method(:twice) { |x| x * 2 } }
      obj = Object.new
      obj.instance_variable_set(:@v, 7)
      [
        [1, 2, 3, 4].each_slice(2).to_a,                 # enumerable ext
        klass.new.twice(4),                              # metaprogramming
        obj.instance_variable_get(:@v),                  # object
        eval("6 * 7"),                                   # compiler
        %w[a b].map(&:upcase),                           # symbol / proc
        1234.digits,                                     # numeric ext
        { b: 1, a: 2 }.sort.to_h.keys,                   # hash ext
        (1..10).each_slice(3).map(&:first),              # range / enumerator
        "hello".center(9, "*"),                          # string ext
        [3, 1, 2].sort.reverse,                          # array ext
        Struct.new(:x).new(1).x,                         # struct
        format("%05.2f", 3.14159),                       # sprintf
        Math.sqrt(16),                                   # math
        Rational(1, 3) + Rational(1, 6),                 # rational
        (Set.new([1, 2]) | Set.new([2, 3])).to_a,        # set
        Fiber.new { Fiber.yield 1; 2 }.resume,           # fiber
        catch(:done) { throw :done, :caught },           # catch
        [1, 2].pack("C*").unpack("C*"),                  # pack
      ].map { |v| v.is_a?(Rational) ? v.to_s : v }
    RUBY
    assert_equal [[[1, 2], [3, 4]], 8, 7, 42, %w[A B], [4, 3, 2, 1], %i[a b], [1, 4, 7, 10],
                  "**hello**", [3, 2, 1], 1, "03.14", 4.0, "1/2", [1, 2, 3], 1, :caught, [1, 2]], result
  end

  def test_there_is_no_real_sleep
    assert_equal :no_sleep, @sandbox.eval("begin; sleep(1); :slept; rescue NoMethodError; :no_sleep; end")
  end

  def test_integer_overflow_never_wraps
    assert_equal [true, true, true],
                 @sandbox.eval("[(2**62) * 4 > 0, -9223372036854775807 - 2 < 0, 9223372036854775807 + 1 > 0]")
    assert_equal "36893488147419103232", @sandbox.eval("((2**62) * 8).to_s")
  end

  def test_a_non_standard_exception_is_a_sandbox_error
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval('raise Exception, "deep"') }
    assert_equal %w[Exception deep sandbox], [error.klass, error.message, error.origin]
    assert_kind_of Hash, error.details
    assert(error.backtrace_lines.any? { |line| line.start_with?("(eval):") }, error.backtrace_lines.inspect)
  end
end
