# frozen_string_literal: true

require_relative "test_helper"

# Runs every ```ruby example in README.md. A line `expr # => text` is
# checked: expr.inspect must equal text.
class ReadmeTest < Minitest::Test
  README = File.read(File.expand_path("../README.md", __dir__))
  EXAMPLES = README.scan(/^```ruby\n(.*?)^```/m).map(&:first)
  CHECKED_LINE = /\A(\s*)(.+?)\s*# => (.+)\n?\z/

  def test_the_readme_has_examples
    assert_operator EXAMPLES.size, :>=, 5
  end

  EXAMPLES.each_with_index do |example, index|
    define_method(:"test_readme_example_#{index + 1}") do
      checks = 0
      program = example.lines.map do |line|
        match = CHECKED_LINE.match(line)
        next line unless match

        checks += 1
        "#{match[1]}__readme_check(#{match[3].dump}, (#{match[2]}))\n"
      end.join
      test = self
      context = Object.new
      context.define_singleton_method(:__readme_check) do |expected, actual|
        test.assert_equal(expected, actual.inspect)
      end
      context.instance_eval(program, "README.md example #{index + 1}")
      assert_operator checks, :>, 0, "example #{index + 1} checks nothing"
    end
  end
end
