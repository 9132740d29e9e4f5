# frozen_string_literal: true

require_relative "test_helper"

# SPEC §9: a full Regexp in the guest (Oniguruma, Ruby syntax).
class RegexpTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def guest(source) = @sandbox.eval(source)

  def test_match_operator_and_last_match_variables
    assert_equal 6, guest('"hello world" =~ /wor/')
    assert_nil guest('"hello" =~ /z/')
    assert_equal ["w", "o", nil, "wo", "hello ", "rld", "o"],
                 guest(%q("hello world" =~ /(w)(o)(x)?/; [$1, $2, $3, $&, $`, $', $+]))
    assert_equal [0, "hello"], guest('"hello" =~ /h(e)/; [$~.begin(0), $~.string]')
    assert_equal [nil, nil], guest('"abc" =~ /b/; "abc" =~ /z/; [$~, $1]')
    assert_equal 0, guest('/wor/ =~ "world"')
    assert_equal 1, guest(":sym =~ /y/")
  end

  def test_last_match_does_not_leak_into_the_next_invocation
    guest('"abc" =~ /(b)/')
    assert_equal [nil, nil], guest("[$~, $1]")
  end

  def test_match_and_match_data
    assert_equal [["1", "1", nil], ["1", nil], "a", "", [1, 2], 3],
                 guest('m = "a1".match(/(\d)(x)?/); [m.to_a, m.captures, m.pre_match, m.post_match, m.offset(1), m.size]')
    assert_nil guest('"abc".match(/z/)')
    assert_equal 246, guest('"test123".match(/(?<n>\d+)/) { |m| m[:n].to_i * 2 }')
    assert_equal [5, "abcab"], guest('m = "abcabc".match(/c/, 3); [m.begin(0), m.pre_match]')
    assert_equal [true, false], guest('["cat".match?(/a/), "cat".match?(/z/)]')
    assert_nil guest('"cat".match?(/a/); $~'), "match? leaves $~ alone"
  end

  def test_named_captures
    result = guest(<<~'RUBY')
      m = "2024-11-24".match(/(?<y>\d+)-(?<m>\d+)-(?<d>\d+)/)
      [m[:y], m["m"], m.named_captures, m.names, m.begin(:d), Regexp.last_match(:y)]
    RUBY
    assert_equal ["2024", "11", { "y" => "2024", "m" => "11", "d" => "24" }, %w[y m d], 8, "2024"], result
    assert_equal "IndexError", guest('begin; "a".match(/(?<x>a)/)[:nope]; rescue IndexError => e; e.class.to_s; end')
  end

  def test_scan
    assert_equal %w[1 22 333], guest('"a1b22c333".scan(/\d+/)')
    assert_equal [%w[a 1], %w[b 22]], guest('"a1b22".scan(/([a-z])(\d+)/)')
    assert_equal "Hello World", guest('"Hello World".scan(/o/) { |m| print m, $~.begin(0) }')
    assert_equal "o4o7", @sandbox.stdout
    assert_equal ["", "", "", ""], guest('"abc".scan(//)')
    assert_equal ["."], guest('"a.b".scan(".")'), "a String pattern is literal"
  end

  def test_sub_and_gsub_with_templates_blocks_and_hashes
    assert_equal "heLLo", guest('"hello".gsub(/l/, "L")')
    assert_equal "heLlo", guest('"hello".sub(/l/, "L")')
    assert_equal "smith, john", guest(%q("john smith".sub(/(\w+) (\w+)/, '\2, \1')))
    assert_equal "<john> <smith>", guest(%q("john smith".gsub(/(?<w>\w+)/, '<\k<w>>')))
    assert_equal "a[b](b)a|cc", guest(<<~'RUBY')
      "abc".sub(/b/, '[\0](\&)\`|\\\'')
    RUBY
    assert_equal "a\\b", guest(%q("ab".sub(/b/, '\\\\b')))
    assert_equal "heL!L!o", guest('"hello".gsub(/(l)/) { $1.upcase + "!" }')
    assert_equal "camel_case", guest('"CamelCase".gsub(/([A-Z])/) { "_" + $1.downcase }.sub(/\A_/, "")')
    assert_equal "he11o", guest('"hello".gsub(/l/, "l" => "1")')
    assert_equal "x-y-z", guest('"x.y.z".gsub(".", "-")')
    assert_equal "--", guest('"aaa".gsub(/a*/, "-")')
    assert_equal "hélLo", guest('"héllo".sub(/l(?=o)/) { |m| m.upcase }')
  end

  def test_bang_variants
    assert_equal %w[aBc aBc], guest('x = "abc"; [x.gsub!(/b/, "B"), x]')
    assert_nil guest('"abc".sub!(/z/, "B")')
    assert_equal "FrozenError", guest('begin; "abc".freeze.sub!(/b/, ""); rescue FrozenError => e; e.class.to_s; end')
  end

  def test_split
    assert_equal %w[a b c], guest('"a, b,c".split(/,\s*/)')
    assert_equal %w[a b c], guest('"abc".split(//)')
    assert_equal %w[a 1 b 2 c 3], guest('"a1b2c3".split(/(\d)/)')
    assert_equal %w[a b], guest('"a,b,,,".split(/,/)')
    assert_equal ["a", "b", "", "", ""], guest('"a,b,,,".split(/,/, -1)')
    assert_equal ["a", "b,c"], guest('"a,b,c".split(/,/, 2)')
    assert_equal ["", "a", "b"], guest('" a b ".split(/ /)')
    assert_equal %w[a b c], guest('"a b  c".split'), "String patterns keep their own rules"
    assert_equal [], guest('"".split(/,/)')
  end

  def test_other_string_methods_take_patterns
    assert_equal [4, 8, "ll", "w", true, %w[a - b-c], %w[a-b - c]], guest(<<~'RUBY')
      ["foo bar".index(/bar/), "foo bar foo".rindex(/foo/), "hello"[/l+/],
       "hello world"[/(o) (w)/, 2], "hello".start_with?(/he/),
       "a-b-c".partition(/-/), "a-b-c".rpartition(/-/)]
    RUBY
    assert_equal ["o w", "hellorld"], guest('x = "hello world"; [x.slice!(/o w/), x]')
  end

  def test_options_and_syntax
    assert_equal [0, 2, 1, 2, 0],
                 guest('["a\nb" =~ /a.b/m, "a\nb" =~ /^b/, "ABC" =~ /b/i, "a b" =~ / b /x, "aaa" =~ /\p{Alpha}+/]')
    assert_equal 1, guest('"ab" =~ /(?<=a)b/')
    assert_equal [1, true, "(?i-mx:ab)", "/a\\/b/mix"],
                 guest('[Regexp.new("a+", "i").options, Regexp.new("a+", Regexp::IGNORECASE).match?("AAA"), /ab/i.to_s, /a\/b/mix.inspect]')
    assert_equal "e", guest('case "hello"; when /^h(.)/ then $1; end')
  end

  def test_utf8_positions_are_characters
    assert_equal [1, [2, 3], [3, 4]],
                 guest('s = "日本語"; i = s =~ /本/; "héllo" =~ /l/; [i, $~.offset(0), $~.byteoffset(0)]')
  end

  def test_escape_and_union
    assert_equal ["a\\.b\\*c\\?", "a\\.b|(?i-mx:c)", true],
                 guest('[Regexp.escape("a.b*c?"), Regexp.union("a.b", /c/i).source, Regexp.union("a.b", /c/i).match?("C")]')
  end

  def test_an_invalid_pattern_raises_regexp_error_in_the_guest
    assert_equal ["RegexpError", true], guest(<<~'RUBY')
      begin
        Regexp.new("(")
      rescue RegexpError => e
        [e.class.to_s, e.message.start_with?("invalid regular expression; end pattern with unmatched parenthesis")]
      end
    RUBY
    error = assert_raises(Kobako::SandboxError) { guest('Regexp.new("[z-a]")') }
    assert_equal "RegexpError", error.klass
    assert_equal 3, guest("1 + 2"), "usable afterwards"
  end

  def test_a_runaway_pattern_ends_cleanly
    error = assert_raises(Kobako::Error) { guest('("a" * 5000 + "!") =~ /^(\w+\s?)*$/') }
    assert_kind_of Kobako::SandboxError, error
    assert_equal "RegexpError", error.klass
    assert_equal 3, guest("1 + 2")
  end

  def test_a_regexp_is_not_a_wire_value
    error = assert_raises(Kobako::SandboxError) { guest("/a/") }
    assert_match(/Regexp/, error.message)
  end

  # The glue keeps a match's subject and a pattern's source where Ruby code
  # cannot write: overwriting look-alike ivars changes nothing.
  def test_guest_written_ivars_do_not_reach_the_glue
    code = <<~RUBY
      "hello world" =~ /wor/
      m = $~
      m.instance_variable_set(:@string, 1)
      m.instance_variable_set(:@regexp, 1)
      re = Regexp.new("a(?<x>b)")
      re.instance_variable_set(:@source, 5)
      re.instance_variable_set(:@options, "x")
      re.instance_variable_set(:@names, 7)
      [m.pre_match, m.post_match, m.offset(0), m.string, Regexp.new(re).source, re.match("ab")[:x], re.names]
    RUBY
    assert_equal ["hello ", "ld", [6, 9], "hello world", "a(?<x>b)", "b", ["x"]], guest(code)
  end
end
