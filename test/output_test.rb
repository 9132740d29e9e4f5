# frozen_string_literal: true

require_relative "test_helper"

# SPEC §7 and §11: the guest's IO surface, captured per channel.
class OutputTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def test_kernel_output_methods
    assert_equal 7, @sandbox.eval("puts 'hi'; print 1, 2; p :x; warn 'careful'; 7")
    assert_equal "hi\n12:x\n", @sandbox.stdout
    assert_equal "careful\n", @sandbox.stderr
  end

  def test_output_is_cleared_per_invocation
    @sandbox.eval("puts 'one'; warn 'two'")
    @sandbox.eval("nil")
    assert_equal "", @sandbox.stdout
    assert_equal "", @sandbox.stderr
  end

  def test_puts_follows_ruby_rules
    @sandbox.eval("puts; puts nil; puts [1, [2, []]]; puts 'x\n'; puts 'a', :b")
    # An empty Array writes nothing (CRuby 3.1; compat_test.rb checks it against the host).
    assert_equal "\n\n1\n2\nx\na\nb\n", @sandbox.stdout
  end

  def test_p_and_pp_return_their_arguments
    assert_equal [{ a: 1 }, [1, "s"], nil],
                 @sandbox.eval("[pp({a: 1}), p(1, 's'), p]")
    assert_equal "{:a=>1}\n1\n\"s\"\n", @sandbox.stdout
  end

  def test_printf_and_format
    assert_nil @sandbox.eval('printf("%05.1f|%-3s|%x", 3.14159, "a", 255)')
    assert_equal "003.1|a  |ff", @sandbox.stdout
    @sandbox.eval('printf($stderr, "E%d", 7); $stderr.printf("%s", "!")')
    assert_equal "E7!", @sandbox.stderr
  end

  def test_stdout_write_and_append
    assert_equal 3, @sandbox.eval('$stdout.write("a", "bc")')
    assert_equal "abc", @sandbox.stdout
    assert_equal true, @sandbox.eval('($stdout << "x" << 1 << :y).equal?($stdout)')
    assert_equal "x1y", @sandbox.stdout
  end

  def test_stderr_and_the_constants
    @sandbox.eval('$stderr.puts "e1"; STDERR.print "e2"; STDOUT.puts "o1"; STDOUT.write "o2"')
    assert_equal "o1\no2", @sandbox.stdout
    assert_equal "e1\ne2", @sandbox.stderr
  end

  def test_putc_writes_one_byte_or_the_first_character_and_returns_nil
    assert_equal [nil, nil, nil, nil], @sandbox.eval('[putc(65), putc(256 + 66), putc("héllo"), $stdout.putc("é")]')
    assert_equal "ABhé", @sandbox.stdout
  end

  def test_filenos
    assert_equal [1, 2, 1, 2], @sandbox.eval("[STDOUT.fileno, STDERR.fileno, $stdout.fileno, $stderr.to_i]")
  end

  def test_io_new_accepts_only_the_two_streams_for_writing
    @sandbox.eval('IO.new(1, "w").puts "via new"; IO.new(2).write "err"')
    assert_equal "via new\n", @sandbox.stdout
    assert_equal "err", @sandbox.stderr

    messages = @sandbox.eval(<<~RUBY)
      [[0], [3], ["1"], [1, "r"], [2, "a+"]].map do |args|
        begin
          IO.new(*args)
          "accepted"
        rescue ArgumentError => e
          e.message
        end
      end
    RUBY
    messages.first(3).each { |message| assert_match(/\Akobako IO only supports fd\b/, message) }
    messages.last(2).each { |message| assert_match(/\Akobako IO only supports mode "w"/, message) }
    assert_match(/fd 0\b/, messages[0])
    assert_match(/fd 3\b/, messages[1])
    assert_match(/fd "1"/, messages[2])
    assert_match(/mode "r"/, messages[3])
    assert_match(/mode "a\+"/, messages[4])
  end

  def test_redirecting_stdout_lasts_for_the_invocation_only
    @sandbox.eval('puts "before"; $stdout = $stderr; puts "after"; print "more"')
    assert_equal "before\n", @sandbox.stdout
    assert_equal "after\nmore", @sandbox.stderr
    @sandbox.eval('puts "next"')
    assert_equal "next\n", @sandbox.stdout
    assert_equal "", @sandbox.stderr
  end

  def test_a_script_may_redirect_to_its_own_object
    result = @sandbox.eval(<<~RUBY)
      class Recorder
        attr_reader :lines
        def initialize = @lines = []
        def puts(*args) = @lines.concat(args)
      end
      $stdout = Recorder.new
      puts "kept"
      $stdout.lines
    RUBY
    assert_equal ["kept"], result
    assert_equal "", @sandbox.stdout
  end

  def test_unterminated_and_binary_output
    @sandbox.eval('print "no newline"; $stderr.write "\xff\x00"')
    assert_equal "no newline", @sandbox.stdout
    assert_equal "\xff\x00".b, @sandbox.stderr
    assert_equal Encoding::ASCII_8BIT, @sandbox.stderr.encoding
    assert_equal Encoding::UTF_8, @sandbox.stdout.encoding
  end

  def test_output_is_readable_after_an_error
    assert_raises(Kobako::SandboxError) { @sandbox.eval("print 'partial'; raise 'x'") }
    assert_equal "partial", @sandbox.stdout
  end

  def test_output_is_readable_after_a_trap
    sandbox = Kobako::Sandbox.new(timeout: 0.05)
    assert_raises(Kobako::TimeoutError) { sandbox.eval("print 'started'; warn 'w'; loop {}") }
    assert_equal "started", sandbox.stdout
    assert_equal "w\n", sandbox.stderr
  end

  def test_io_state_is_sane
    assert_equal [true, false, false, "#<IO:<STDOUT>>", "#<IO:<STDERR>>"],
                 @sandbox.eval("[$stdout.sync, $stdout.tty?, $stdout.closed?, STDOUT.inspect, STDERR.inspect]")
  end
end
