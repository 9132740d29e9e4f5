# frozen_string_literal: true

require_relative "test_helper"

# Kernel#raise called from Ruby code sets the exception for the VM instead
# of throwing a Wasm exception (guest/patches/0005-soft-raise.patch). Every
# path a raise can take must behave as a thrown one did: these are CRuby's
# answers.
class RaiseTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def eval_guest(source) = @sandbox.eval(source)

  def test_rescue_ensure_and_retry_see_the_raise
    assert_equal %w[rescued ensured], eval_guest(<<~RUBY)
      log = []
      begin
        raise "x"
      rescue => e
        log << "rescued"
      ensure
        log << "ensured"
      end
      log
    RUBY
    assert_equal 3, eval_guest(<<~RUBY)
      tries = 0
      begin
        tries += 1
        raise ArgumentError if tries < 3
        tries
      rescue ArgumentError
        retry
      end
    RUBY
  end

  def test_a_raise_unwinds_nested_methods_blocks_and_iterators
    assert_equal ["KeyError", "deep", [1, 2]], eval_guest(<<~RUBY)
      seen = []
      def inner(x) = x == 3 ? raise(KeyError, "deep") : x
      def outer(list, seen) = list.each { |x| seen << inner(x) }
      begin
        outer([1, 2, 3, 4], seen)
      rescue IndexError => e
        [e.class.name, e.message, seen]
      end
    RUBY
  end

  def test_typed_rescue_passes_other_classes_on
    assert_equal "outer TypeError", eval_guest(<<~RUBY)
      begin
        begin
          raise TypeError, "t"
        rescue ArgumentError
          "wrong"
        end
      rescue TypeError => e
        "outer \#{e.class}"
      end
    RUBY
  end

  def test_raise_forms_make_the_same_exceptions
    forms = eval_guest(<<~RUBY)
      [-> { raise }, -> { raise "m" }, -> { raise ArgumentError }, -> { raise ArgumentError.new("a") },
       -> { raise 42 }].map do |f|
        f.call
      rescue => e
        [e.class.name, e.message]
      end
    RUBY
    assert_equal [["RuntimeError", ""], %w[RuntimeError m], %w[ArgumentError ArgumentError],
                  %w[ArgumentError a], ["TypeError", "exception class/object expected"]], forms
  end

  def test_an_ensure_runs_and_the_raise_still_escapes_a_method
    assert_equal ["ensure ran", "boom"], eval_guest(<<~RUBY)
      $log = []
      def risky
        raise "boom"
      ensure
        $log << "ensure ran"
      end
      begin
        risky
      rescue => e
        $log << e.message
      end
      $log
    RUBY
  end

  def test_raise_through_send_and_method_missing_still_works
    assert_equal ["via send", "via missing"], eval_guest(<<~RUBY)
      o = Object.new
      def o.method_missing(name, *) = raise(NameError, "via missing")
      [:send, :missing].map do |via|
        via == :send ? send(:raise, "via send") : o.anything
      rescue => e
        e.message
      end
    RUBY
  end

  def test_an_uncaught_raise_reports_class_message_and_backtrace
    error = assert_raises(Kobako::SandboxError) { eval_guest("def boom = raise(IndexError, 'gone')\nboom") }
    assert_equal "IndexError", error.klass
    assert_match(/gone/, error.message)
    assert(error.backtrace_lines.any? { |line| line.include?("(eval):1") }, error.backtrace_lines.inspect)
  end

  def test_a_raise_inside_a_fiber_reaches_the_resumer
    assert_equal "from fiber", eval_guest(<<~RUBY)
      f = Fiber.new { raise "from fiber" }
      begin
        f.resume
      rescue => e
        e.message
      end
    RUBY
  end
end
