# frozen_string_literal: true

require_relative "test_helper"

class ServicesTest < Minitest::Test
  def setup
    @store = { "user_42" => "Alice" }
    @sandbox = Kobako::Sandbox.new
  end

  def test_define_and_bind_a_lambda
    store = @store
    @sandbox.define(:KV).bind(:Lookup, ->(key) { store[key] })
    assert_equal "Alice", @sandbox.eval('KV::Lookup.call("user_42")')
  end

  # A name no host Symbol has (a guest's invention) is refused without
  # becoming a Symbol on the host.
  def test_made_up_method_names_do_not_become_host_symbols
    @sandbox.define(:KV).bind(:Lookup, ->(key) { key })
    name = "made_up_#{rand(1 << 60).to_s(36)}"
    message = @sandbox.eval("begin; KV::Lookup.#{name}; rescue Kobako::ServiceError => e; e.message; end")
    assert_equal "undefined method '#{name}' for service KV::Lookup", message
    assert_empty(Symbol.all_symbols.select { |symbol| symbol.to_s == name })
  end

  # The extension remembers the Symbols of the names guests call (a few
  # dozen per thread): past that, and for names no Symbol is kept for, each
  # call still finds its own service and method.
  def test_many_names_each_reach_their_own_service_and_method
    names = Array.new(100) { |i| "Svc#{i}" }
    ns = @sandbox.define(:Many)
    names.each { |name| ns.bind(name.dup, Class.new { define_method(:"m_#{name}") { name } }.new) }
    unique = "Dyn#{rand(1 << 60).to_s(36)}" # a Symbol Ruby may free (made from a String)
    ns.bind(unique, -> { unique })
    calls = names.map { |name| "Many::#{name}.m_#{name}" }.join(", ")
    assert_equal names, @sandbox.eval("[#{calls}]")
    assert_equal names.reverse, @sandbox.eval("[#{calls}].reverse")
    assert_equal [unique, unique], @sandbox.eval("[Many::#{unique}.call, Many::#{unique}.call]")
  end

  # Up to 16 values (the keywords Hash counts as one) take the extension's
  # short way, more go through the dispatcher: the same either way.
  def test_any_number_of_arguments
    @sandbox.define(:Echo).bind(:Count, ->(*args, **kw) { [args.sum, kw.size] })
    [15, 16, 17, 40].each do |n|
      list = (1..n).to_a.join(", ")
      assert_equal [n * (n + 1) / 2, 0], @sandbox.eval("Echo::Count.call(#{list})")
      assert_equal [n * (n + 1) / 2, 1], @sandbox.eval("Echo::Count.call(#{list}, k: 1)")
    end
  end

  def test_a_throw_from_a_service_reaches_the_hosts_catch
    @sandbox.define(:S).bind(:Leave, -> { throw :out, :left })
    assert_equal :left, catch(:out) { @sandbox.eval("begin; S::Leave.call; rescue Exception; :swallowed; end") }
    assert_equal 1, @sandbox.eval("1")
  end

  def test_keyword_arguments_arrive_as_symbols
    @sandbox.define(:Geo).bind(:Find, ->(name:, region:) { "#{region}/#{name}" })
    assert_equal "us/alice", @sandbox.eval('Geo::Find.call(name: "alice", region: "us")')
  end

  def test_any_public_method_the_object_defines
    calculator = Class.new do
      def add(a, b) = a + b
      def scale(x, by: 2) = x * by
    end.new
    @sandbox.define(:Math2).bind(:Calc, calculator)
    assert_equal [5, 30], @sandbox.eval("[Math2::Calc.add(2, 3), Math2::Calc.scale(10, by: 3)]")
  end

  def test_define_returns_the_same_namespace_and_bind_chains
    ns = @sandbox.define(:Svc)
    assert_same ns, @sandbox.define("Svc")
    assert_same ns, ns.bind(:A, -> { 1 }).bind(:B, -> { 2 })
    assert_equal 3, @sandbox.eval("Svc::A.call + Svc::B.call")
  end

  def test_names_are_validated
    assert_raises(ArgumentError) { @sandbox.define(:lower) }
    assert_raises(ArgumentError) { @sandbox.define("A::B") }
    assert_raises(ArgumentError) { @sandbox.define("") }
    assert_raises(ArgumentError) { @sandbox.define(:Ok).bind(:bad, -> {}) }
    assert_raises(ArgumentError) { @sandbox.define(:Ok).bind(42, -> {}) }
  end

  def test_registration_is_sealed_by_the_first_invocation_even_a_failing_one
    ns = @sandbox.define(:Early)
    assert_raises(Kobako::SandboxError) { @sandbox.eval("raise 'x'") }
    assert_raises(ArgumentError) { @sandbox.define(:Late) }
    assert_raises(ArgumentError) { ns.bind(:Member, -> {}) }
  end

  def test_a_host_exception_is_rescuable_in_the_guest
    @sandbox.define(:KV).bind(:Lookup, ->(key) { raise KeyError, "key not found: #{key}" })
    result = @sandbox.eval(<<~RUBY)
      begin
        KV::Lookup.call("x")
      rescue Kobako::ServiceError => e
        [e.message, e.klass, e.is_a?(StandardError)]
      end
    RUBY
    assert_equal ["key not found: x", "KeyError", true], result
  end

  def test_an_unrescued_host_exception_is_a_service_error_on_the_host
    @sandbox.define(:KV).bind(:Lookup, ->(key) { raise KeyError, "key not found: #{key}" })
    error = assert_raises(Kobako::ServiceError) { @sandbox.eval('KV::Lookup.call("x")') }
    assert_equal "service", error.origin
    assert_equal "KeyError", error.klass
    assert_equal "key not found: x", error.message
    refute_empty error.backtrace_lines
    assert_equal 2, @sandbox.eval("1 + 1")
  end

  # The glue looks its classes up once, at boot: a script that removes or
  # replaces Kobako::Handle or Kobako::ServiceError changes neither what a
  # service call builds nor what it raises (it used to look them up by name
  # on every call, and failed once Handle was gone).
  def test_the_glue_keeps_its_classes_whatever_the_script_does_to_the_constants
    @sandbox.define(:Objects).bind(:Make, -> { Object.new })
    @sandbox.define(:Fail).bind(:Now, -> { raise ArgumentError, "boom" })
    assert_equal [:made, false, "boom"], @sandbox.eval(<<~RUBY)
      Kobako.send(:remove_const, :Handle)
      Kobako.send(:remove_const, :ServiceError)
      module Kobako; class ServiceError < StandardError; end; end
      Objects::Make.call
      begin
        Fail::Now.call
      rescue StandardError => e
        [:made, e.class.equal?(Kobako::ServiceError), e.message]
      end
    RUBY
  end

  def test_service_values_round_trip
    @sandbox.define(:Echo).bind(:Back, ->(*args, **kw) { [args, kw] })
    result = @sandbox.eval('Echo::Back.call(1, -2.5, "s", :sym, nil, true, [1, {a: 2}], key: "v")')
    assert_equal [[1, -2.5, "s", :sym, nil, true, [1, { a: 2 }]], { key: "v" }], result
  end

  def test_a_trailing_hash_stays_positional_and_keywords_stay_keywords
    @sandbox.define(:Echo).bind(:Back, ->(*args, **kw) { [args, kw] })
    assert_equal [[{ a: 1 }], {}], @sandbox.eval("Echo::Back.call({a: 1})")
    assert_equal [[1], { a: 1 }], @sandbox.eval("Echo::Back.call(1, a: 1)")
    assert_equal [[{ a: 1 }], { b: 2 }], @sandbox.eval("Echo::Back.call({a: 1}, b: 2)")
    assert_equal [[], {}], @sandbox.eval("Echo::Back.call(**{})")
  end

  def test_many_arguments_and_direct_method_missing_calls
    @sandbox.define(:Echo).bind(:Back, ->(*args, **kw) { [args, kw] })
    assert_equal [Array.new(20, 1), { k: 1 }], @sandbox.eval("Echo::Back.call(*Array.new(20, 1), k: 1)")
    assert_equal [[2], {}], @sandbox.eval("Echo::Back.method_missing(:call, 2)")
    assert_equal [[3], { k: 4 }], @sandbox.eval("Echo::Back.__send__(:method_missing, :call, 3, k: 4)")
    assert_equal %w[ArgumentError TypeError], @sandbox.eval(<<~RUBY)
      [-> { Echo::Back.method_missing }, -> { Echo::Back.method_missing(1) }].map do |call|
        call.call
      rescue StandardError => e
        e.class.name
      end
    RUBY
  end

  def test_keywords_keep_their_order_and_string_keys_arrive_as_symbols
    @sandbox.define(:Echo).bind(:Back, ->(**kw) { kw })
    names = (1..20).map { |i| "k#{21 - i}" }
    assert_equal names.map(&:to_sym), @sandbox.eval("Echo::Back.call(#{names.map { |n| "#{n}: 1" }.join(', ')})").keys
    assert_equal({ a: 1, "é": [2] }, @sandbox.eval('Echo::Back.call(**{"a" => 1}, "é": [2])'))
  end

  def test_a_call_on_a_handle_carries_arguments_and_keywords
    @sandbox.define(:Shop).bind(:Greeters, ->(name) { Greeter.new(name) })
    assert_equal 5, @sandbox.eval('Shop::Greeters.call("x").add(2, two: 3)')
  end

  def test_an_arguments_nesting_counts_from_its_place_in_the_request
    @sandbox.define(:Echo).bind(:Back, ->(*args, **kw) { [args, kw] })
    # An argument sits two levels deep in the request: 126 levels of its own
    # fit under the limit of 128, 127 do not (as a keyword's value).
    nested = ->(levels) { "#{'[' * levels}1#{']' * levels}" }
    depth = ->(value) { value.is_a?(Array) ? 1 + depth.call(value.first) : 0 }
    args, = @sandbox.eval("Echo::Back.call(#{nested.call(126)})")
    assert_equal 126, depth.call(args.first)
    [nested.call(127), "k: #{nested.call(127)}"].each do |too_deep|
      assert_equal "nesting deeper than 128 levels cannot leave the sandbox",
                   @sandbox.eval("begin; Echo::Back.call(#{too_deep}); rescue TypeError => e; e.message.split(':').first; end")
    end
  end

  def test_a_name_that_is_not_utf8_is_a_malformed_call
    called = false
    @sandbox.define(:S).bind(:M, ->(**) { called = true })
    ['S::M.method_missing("\xff".to_sym)', 'S::M.call(**{"\xff".to_sym => 1})'].each do |call|
      assert_equal "malformed service call", @sandbox.eval("begin; #{call}; rescue TypeError => e; e.message; end")
    end
    refute called
  end

  def test_a_block_is_refused_before_the_host_is_called
    called = false
    @sandbox.define(:S).bind(:M, ->(*) { called = true })
    assert_equal "blocks cannot be passed to the host",
                 @sandbox.eval("begin; S::M.call(1) { 2 }; rescue ArgumentError => e; e.message; end")
    refute called
  end

  def test_a_guest_value_with_no_wire_form_is_a_type_error_at_the_call_site
    called = false
    @sandbox.define(:S).bind(:M, ->(_) { called = true })
    assert_equal "TypeError", @sandbox.eval("begin; S::M.call(Object.new); rescue TypeError => e; 'TypeError'; end")
    refute called
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("S::M.call(-> {})") }
    assert_equal "TypeError", error.klass
    refute called
  end

  Greeter = Struct.new(:name) do
    def greet = "hello #{name}"
    def add(a, two:) = a + two
    def louder = Greeter.new("#{name}!")
  end

  def test_non_plain_results_are_handles
    @sandbox.define(:People).bind(:Find, ->(name) { Greeter.new(name) })
    assert_equal "hello ana", @sandbox.eval('People::Find.call("ana").greet')
    assert_equal 3, @sandbox.eval('People::Find.call("x").add(1, two: 2)')
    assert_equal true, @sandbox.eval('Kobako::Handle === People::Find.call("x")')
  end

  def test_handles_passed_back_arrive_as_the_original_object
    seen = nil
    greeter = Greeter.new("zed")
    @sandbox.define(:Pass).bind(:Make, -> { greeter }).bind(:Take, lambda { |g|
                                                                     seen = g
                                                                     g.equal?(greeter)
                                                                   })
    assert_equal true, @sandbox.eval("Pass::Take.call(Pass::Make.call)")
    assert_same greeter, seen
  end

  def test_a_handle_returned_from_eval_is_the_host_object
    greeter = Greeter.new("amy")
    @sandbox.define(:Pass).bind(:Make, -> { greeter })
    assert_same greeter, @sandbox.eval("Pass::Make.call")
  end

  def test_the_guest_cannot_forge_a_handle
    @sandbox.define(:Pass).bind(:Make, -> { Greeter.new("x") }).bind(:Take, ->(g) { g.greet })
    attempts = @sandbox.eval(<<~'RUBY')
      real = Pass::Make.call # id 1 is live in this invocation
      forged = [
        -> { Kobako::Handle.new(1) },
        -> { Kobako::Handle.allocate },
        -> { Kobako::Handle.send(:new, 1) },
        -> { Class.instance_method(:new).bind(Kobako::Handle).call(1) },
        -> { Kobako::Service.new(1) },
      ].map do |make|
        begin
          h = make.call
          begin
            Pass::Take.call(h)
          rescue TypeError, Kobako::ServiceError => e
            "refused: #{e.class}"
          end
        rescue NoMethodError, TypeError, ArgumentError => e
          "cannot make: #{e.class}"
        end
      end
      forged << Pass::Take.call(real)
    RUBY
    assert_equal 6, attempts.size
    assert_equal "hello x", attempts.pop
    attempts.each { |outcome| assert_match(/\A(cannot make|refused): /, outcome) }
  end

  def test_a_stale_or_forged_handle_from_the_host_is_disconnected
    @sandbox.define(:Pass).bind(:Make, -> { Greeter.new("x") })
    @sandbox.preload(
      code: "Poke = ->(h) { begin; h.greet; rescue Kobako::ServiceError::Disconnected => e; [e.class.to_s, e.is_a?(Kobako::ServiceError)]; end }", name: :Poke
    )
    @sandbox.eval("Pass::Make.call")
    assert_equal ["Kobako::ServiceError::Disconnected", true], @sandbox.run(:Poke, Kobako::Handle.new(1))
    assert_equal ["Kobako::ServiceError::Disconnected", true], @sandbox.run(:Poke, Kobako::Handle.new(12_345))
  end

  def test_an_unrescued_disconnected_handle_reaches_the_host
    @sandbox.preload(code: "Poke = ->(h) { h.greet }", name: :Poke)
    error = assert_raises(Kobako::ServiceError::Disconnected) { @sandbox.run(:Poke, Kobako::Handle.new(7)) }
    assert_equal "service", error.origin
    assert_equal "Kobako::ServiceError::Disconnected", error.klass
  end

  def test_run_arguments_that_are_not_plain_travel_as_handles
    greeter = Greeter.new("run")
    @sandbox.preload(code: "Hi = ->(g) { g.greet }", name: :Hi)
    assert_equal "hello run", @sandbox.run(:Hi, greeter)
  end

  def test_the_handle_table_cap
    @sandbox.define(:Many).bind(:Make, -> { Object.new.tap { |o| def o.ok = 1 } })
    @sandbox.instance_variable_get(:@dispatcher).handle_cap = 3
    assert_equal 3, @sandbox.eval("3.times { Many::Make.call }; 3")
    error = assert_raises(Kobako::HandleTableExhausted) { @sandbox.eval("4.times { Many::Make.call }") }
    assert_kind_of Kobako::HandleTableError, error
    assert_kind_of Kobako::SandboxError, error
    assert_equal 1, @sandbox.eval("Many::Make.call.ok"), "a new invocation starts a new table"
  end

  def test_host_side_handle_class
    assert_same Kobako::Handle, Kobako::RPC::Handle
  end

  def test_a_method_or_binding_never_becomes_a_handle
    @sandbox.define(:Leak).bind(:M, -> { 1.method(:+) }).bind(:B, -> { binding })
    assert_equal %w[TypeError TypeError], @sandbox.eval(<<~RUBY)
      [Leak::M, Leak::B].map do |s|
        begin
          s.call
        rescue Kobako::ServiceError => e
          e.klass
        end
      end
    RUBY
  end

  def test_a_host_interrupt_is_not_rescuable_by_the_guest
    @sandbox.define(:Bad).bind(:Stop, -> { raise Interrupt })
    assert_raises(Interrupt) { @sandbox.eval("begin; Bad::Stop.call; rescue Exception; :swallowed; end") }
    assert_equal 1, @sandbox.eval("1")
  end

  def test_every_value_round_trips_through_a_service
    @sandbox.define(:S).bind(:Echo, ->(*args, **kw) { [args, kw] })
    @sandbox.preload(code: "Via = ->(*args, **kw) { S::Echo.call(*args, **kw) }", name: :Via)
    args = [nil, true, false, (2**63) - 1, -2**63, 1.5, -0.0, Float::INFINITY, -Float::INFINITY,
            "héllo", "nul\x00", "\xff".b, :sym, [1, [2]], { 1 => "one", [2] => nil, s: :t }]
    back, kw = @sandbox.run(:Via, *args, key: { nested: [1] })
    assert_equal args, back
    assert_predicate 1 / back[6], :negative?
    assert_equal({ key: { nested: [1] } }, kw)
    assert_predicate @sandbox.run(:Via, Float::NAN)[0][0], :nan?
    assert_equal [1, [2], :s], @sandbox.run(:Via, args.last)[0][0].keys
  end

  def test_a_keyword_value_without_a_wire_form_is_a_type_error_in_the_guest
    @sandbox.define(:S).bind(:M, ->(**kw) { kw })
    assert_equal :type_error, @sandbox.eval("begin; S::M.call(k: Object.new); rescue TypeError; :type_error; end")
  end

  def test_define_validates_its_name
    [42, :lower, "A::B", ""].each do |name|
      assert_raises(ArgumentError, name.inspect) { @sandbox.define(name) }
    end
  end

  def test_a_preflight_type_error_does_not_seal
    assert_raises(TypeError) { @sandbox.eval(nil) }
    @sandbox.define(:Ok).bind(:M, -> { 1 })
    assert_equal 1, @sandbox.eval("Ok::M.call")
  end

  def test_a_handle_result_can_return_another_handle
    @sandbox.define(:People).bind(:Find, ->(name) { Greeter.new(name) })
    assert_equal "hello ana!", @sandbox.eval('People::Find.call("ana").louder.greet')
  end

  def test_handles_nested_in_arguments_arrive_as_the_original_objects
    greeter = Greeter.new("n")
    seen = nil
    @sandbox.define(:P).bind(:Make, -> { greeter }).bind(:Take, lambda { |list, k:|
                                                                  seen = [list, k]
                                                                  true
                                                                })
    @sandbox.eval("h = P::Make.call; P::Take.call([h], k: { h => [h] })")
    assert_same greeter, seen[0][0]
    assert_same greeter, seen[1].keys.first
    assert_same greeter, seen[1].values.first.first
    @sandbox2 = Kobako::Sandbox.new.preload(code: "Echo = ->(x) { x }", name: :Echo)
    assert_same greeter, @sandbox2.run(:Echo, greeter)
  end

  def test_the_default_handle_cap
    assert_equal (2**31) - 1, Kobako::Dispatcher::HANDLE_ID_CAP
  end

  def test_sandboxes_are_reentrant
    inner = Kobako::Sandbox.new
    outer = Kobako::Sandbox.new
    outer.define(:N).bind(:In, ->(source) { inner.eval(source) }).bind(:After, -> { :outer })
    assert_equal 3, outer.eval('N::In.call("1 + 2")')
    assert_equal [3, :outer], outer.eval('[N::In.call("1 + 2"), N::After.call]'),
                 "the outer sandbox's services still answer after a nested invocation"
  end

  def test_a_service_error_carries_its_fields
    @sandbox.define(:S).bind(:Fail, -> { raise KeyError, "nope" })
    error = assert_raises(Kobako::ServiceError) { @sandbox.eval("S::Fail.call") }
    assert_equal %w[service KeyError], [error.origin, error.klass]
    assert_kind_of Hash, error.details
    assert(error.backtrace_lines.any? { |line| line.start_with?("(eval):") }, error.backtrace_lines.inspect)
  end
end
