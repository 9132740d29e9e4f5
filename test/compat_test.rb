# frozen_string_literal: true

require_relative "test_helper"
require "rbconfig"

# Everyday Ruby gives the answer CRuby gives: each case runs in the guest
# and in this (host) Ruby, and the value (by #inspect, so 1 and 1.0 differ)
# and the output must match. KNOWN_DIFFERENCES lists cases that still
# differ; the README lists them too. A known difference that starts to match
# fails here until it is taken off the list.
class CompatTest < Minitest::Test
  CASES = [
    # Float literals are read correctly rounded (guest/patches/0006-floats.patch).
    "0.75", "0.1 + 0.2", "0.1 + 0.2 == 0.3", "1.1 * 3", "9007199254740993.0", "5e-324",
    "1.7976931348623157e308", '"1.5".to_f', '" 2.5x".to_f', '"abc".to_f', '"1e3".to_f', 'Float("3.25")',
    # Float#to_s: the shortest digits that read back, in CRuby's layout.
    "1.0 / 3", "2.0 / 3", "100.0", "12.0.to_s", "123456789012345.0", "1e15", "1e16", "1e20",
    "0.0001", "0.00001", "1.23456789e-7", "-0.0", "1.0e-10.to_s", "Float::INFINITY.to_s", "(0.0 / 0.0).to_s",
    "[0.1, 0.25, 1e100].map(&:to_s)",
    # Formatting floats (libc's correctly rounded conversion).
    '"%.0f" % 0.5', '"%.0f" % 1.5', '"%.0f" % 2.5', '"%08.3f" % -3.5', '"%+08.2f" % 3.14159',
    '"%e" % 12345.678', '"%g" % 0.0001', '"%10.4f|" % 3.14159', '"%-8.2f|" % 3.14159', '"%+.1f" % 2.0',
    '"%f" % Float::INFINITY', '"%.3e" % 0.0', "format('%.2f', 1.005)", "3.14159.round(2)", "2.5.round",
    "1234.5678.floor(2)", "(0.1 * 3).round(15)",
    # Sums of floats are compensated as in CRuby.
    "[0.1, 0.2, 0.3].sum", "[0.1] * 10 == [0.1] * 10 && ([0.1] * 10).sum", "[1, 2.5, 3].sum",
    "[1, 2, 3].sum", "(1..10).sum { |i| i * 0.1 }", '["a", "b"].sum("")', "[[1], [2]].sum([])",
    # Ruby-level raise (a soft raise in the guest) behaves as a thrown one.
    "begin; raise 'x'; rescue => e; [e.class, e.message]; end.inspect",
    "begin; raise; rescue => e; e.message; end",
    "def f(n) = n.zero? ? raise(ArgumentError, 'zero') : n; [1, 0].map { |n| f(n) rescue 'rescued' }",
    # Output.
    'puts 1.5, 2.0e-5; print 1e20, "\n"; p 0.1 + 0.2'
  ].freeze

  KNOWN_DIFFERENCES = {
    "(0.1).rationalize" => "Float#rationalize is missing",
    '"%.2f" % 2.675' => "CRuby's own dtoa rounds this tie of the decimal text up; libc rounds the binary value",
    "begin; raise 'x'; rescue; $!&.message; end" => "$! is never set"
  }.freeze

  # CRuby's answers, from a fresh `ruby` (so nothing of this test process,
  # such as a `$!` left by an earlier test, leaks into them).
  HOST_SCRIPT = <<~RUBY
    require "stringio"
    answers = Marshal.load($stdin.read).to_h do |source|
      out = StringIO.new
      saved = $stdout
      $stdout = out
      value = begin
        Object.new.instance_eval(source).inspect
      rescue StandardError => e
        "raised \#{e.class}"
      ensure
        $stdout = saved
      end
      [source, [value, out.string]]
    end
    $stdout.write(Marshal.dump(answers))
  RUBY

  def self.host_answers
    @host_answers ||= IO.popen([RbConfig.ruby, "-e", HOST_SCRIPT], "r+b") do |io|
      io.write(Marshal.dump(CASES + KNOWN_DIFFERENCES.keys))
      io.close_write
      Marshal.load(io.read) # rubocop:disable Security/MarshalLoad -- our own child's answers
    end
  end

  def guest_answer(source)
    sandbox = Kobako::Sandbox.new
    value = begin
      sandbox.eval(source).inspect
    rescue Kobako::SandboxError => e
      "raised #{e.klass}"
    end
    [value, sandbox.stdout]
  end

  CASES.each_with_index do |source, i|
    define_method(:"test_case_#{i}_#{source[/\w[\w ]*/]&.tr(" ", "_")}") do
      assert_equal self.class.host_answers.fetch(source), guest_answer(source), source
    end
  end

  KNOWN_DIFFERENCES.each_with_index do |(source, why), i|
    define_method(:"test_known_difference_#{i}") do
      refute_equal self.class.host_answers.fetch(source), guest_answer(source),
                   "#{source} now matches CRuby (#{why}): move it to CASES"
    end
  end
end
