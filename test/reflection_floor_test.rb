# frozen_string_literal: true

require_relative "test_helper"
require "tmpdir"

# Real escape attempts through the reflection floor (SPEC §2): each would
# write a file on the host if it got through.
class ReflectionFloorTest < Minitest::Test
  class Account
    def initialize = @secret = "s3cret"
    def balance = 100
  end

  def setup
    @dir = Dir.mktmpdir("kobako-floor")
    @marker = File.join(@dir, "pwned")
    @sandbox = Kobako::Sandbox.new
    @sandbox.define(:KV).bind(:Lookup, ->(key) { key.to_s.upcase })
    @sandbox.define(:Bank).bind(:Account, Account.new).bind(:Open, -> { Account.new })
  end

  def teardown
    FileUtils.rm_rf(@dir)
  end

  def attempt(code)
    @sandbox.eval(<<~RUBY)
      begin
        #{code}
        :reached
      rescue Kobako::ServiceError => e
        [e.class.to_s, e.message]
      end
    RUBY
  end

  def refused(code, label = "service KV::Lookup")
    result = attempt(code)
    refute File.exist?(@marker), "#{code} wrote on the host"
    assert_equal "Kobako::ServiceError", result[0], "#{code} => #{result.inspect}"
    assert_match(/\Aundefined method '[^' ]+' for #{Regexp.escape(label)}\z/, result[1])
    result[1]
  end

  # BasicObject's own methods (instance_eval, instance_exec, __send__) run
  # on the guest-side proxy: they reach only the guest.
  def test_the_guest_side_proxy_methods_stay_in_the_guest
    cmd = "File.write(#{@marker.dump}, 'x')"
    ["KV::Lookup.instance_eval(#{cmd.dump})", "KV::Lookup.instance_exec { #{cmd} }",
     "KV::Lookup.instance_eval { system('touch #{@marker}') }"].each do |code|
      @sandbox.eval("begin; #{code}; rescue Exception; end")
      refute File.exist?(@marker), code
    end
    refused "KV::Lookup.__send__(:system, 'touch #{@marker}')"
  end

  def test_reflection_on_a_bound_lambda_is_refused
    cmd = "File.write(#{@marker.dump}, 'x')"
    refused "KV::Lookup.send(:instance_eval, #{cmd.dump})"
    refused "KV::Lookup.public_send(:system, 'touch #{@marker}')"
    refused "KV::Lookup.method(:call)"
    refused "KV::Lookup.binding"
    refused "KV::Lookup.instance_variable_get(:@x)"
    refused "KV::Lookup.define_singleton_method(:x, 1)"
    refused "KV::Lookup.tap"
    refused "KV::Lookup.then"
    refused "KV::Lookup.extend(1)"
    refused "KV::Lookup.curry"
    refused "KV::Lookup.to_proc"
    refused "KV::Lookup.system('touch #{@marker}')"
    assert_equal "X", @sandbox.eval("KV::Lookup.call(:x)"), "call still works"
  end

  def test_blocks_never_reach_the_host
    assert_equal "ArgumentError",
                 @sandbox.eval("begin; KV::Lookup.tap { 1 }; rescue ArgumentError; 'ArgumentError'; end")
  end

  def test_proc_targets_allow_only_the_calling_methods
    assert_equal %w[A B], @sandbox.eval("[KV::Lookup.call(:a), KV::Lookup[:b]]")
    assert_equal [1, true], @sandbox.eval("[KV::Lookup.arity, KV::Lookup.lambda?]")
  end

  def test_a_procs_calling_surface_is_the_one_its_own_lookup_finds
    sandbox = Kobako::Sandbox.new
    narrowed = ->(x) { x }
    narrowed.define_singleton_method(:call) { |x| "the application's call of #{x}" }
    narrowed.singleton_class.send(:private, :[])
    sandbox.define(:P).bind(:Narrowed, narrowed)
    assert_equal "the application's call of 1", sandbox.eval("P::Narrowed.call(1)")
    assert_match(/undefined method '\[\]'/, sandbox.eval("begin; P::Narrowed[1]; rescue => e; e.message; end"))
  end

  def test_reflection_on_a_bound_object_is_refused
    label = "service Bank::Account"
    refused "Bank::Account.instance_variable_get(:@secret)", label
    refused "Bank::Account.instance_variable_set(:@secret, 'x')", label
    refused "Bank::Account.instance_variables", label
    refused "Bank::Account.send(:balance)", label
    refused "Bank::Account.public_send(:balance)", label
    refused "Bank::Account.class", label
    refused "Bank::Account.singleton_class", label
    refused "Bank::Account.dup", label
    refused "Bank::Account.display", label
    assert_equal 100, @sandbox.eval("Bank::Account.balance")
  end

  def test_reflection_on_a_handle_is_refused
    label = "Kobako::Handle"
    refused "Bank::Open.call.instance_variable_get(:@secret)", label
    refused "Bank::Open.call.instance_variable_set(:@secret, 1)", label
    refused "Bank::Open.call.send(:balance)", label
    refused "Bank::Open.call.method(:balance)", label
    refused "Bank::Open.call.class", label
    assert_equal 100, @sandbox.eval("Bank::Open.call.balance")
  end

  def test_a_refusal_reads_exactly_like_a_missing_method
    missing = attempt("KV::Lookup.no_such_method")[1]
    refused_message = attempt("KV::Lookup.instance_variables")[1]
    assert_equal missing.sub("no_such_method", "X"), refused_message.sub("instance_variables", "X")
  end

  def test_private_methods_are_refused
    klass = Class.new do
      def visible = private_helper
      private def private_helper = :hidden
    end
    sandbox = Kobako::Sandbox.new
    sandbox.define(:P).bind(:O, klass.new)
    assert_equal :hidden, sandbox.eval("P::O.visible")
    error = assert_raises(Kobako::ServiceError) { sandbox.eval("P::O.private_helper") }
    assert_match(/undefined method 'private_helper'/, error.message)
  end

  def test_respond_to_guest_narrows
    klass = Class.new do
      def open_door = :open
      def admin_reset = :reset
      def respond_to_guest?(name) = name != :admin_reset
    end
    sandbox = Kobako::Sandbox.new
    sandbox.define(:Door).bind(:D, klass.new)
    assert_equal :open, sandbox.eval("Door::D.open_door")
    assert_raises(Kobako::ServiceError) { sandbox.eval("Door::D.admin_reset") }
  end

  def test_a_method_object_target_exposes_only_call
    sandbox = Kobako::Sandbox.new
    sandbox.define(:M).bind(:Up, "abc".method(:upcase))
    assert_equal "ABC", sandbox.eval("M::Up.call")
    %w[receiver owner unbind source_location].each do |name|
      assert_raises(Kobako::ServiceError, name) { sandbox.eval("M::Up.#{name}") }
    end
  end

  module Registry
    def self.ok = 1
  end

  def test_a_bound_module_exposes_only_its_own_methods
    @sandbox.define(:Mods).bind(:R, Registry)
    assert_equal 1, @sandbox.eval("Mods::R.ok")
    %w[const_get(:Object) class_eval("1") module_eval("1") instance_method(:ok) name ancestors
       const_set(:X,1) class_variable_get(:@@x)].each do |call|
      refused "Mods::R.#{call}", "service Mods::R"
    end
  end

  def test_a_bound_class_cannot_be_instantiated_or_opened
    @sandbox.define(:Classes).bind(:Str, String)
    %w[new("x") allocate class_eval("1") superclass instance_methods].each do |call|
      refused "Classes::Str.#{call}", "service Classes::Str"
    end
  end

  def test_proc_yield_is_allowed_and_the_rest_refused
    assert_equal "X", @sandbox.eval("KV::Lookup.yield(:x)")
    assert_equal 1, @sandbox.eval("KV::Lookup.arity")
    assert_equal true, @sandbox.eval("KV::Lookup.lambda?")
    %w[parameters curry binding source_location to_proc ===(1) >>(1)].each do |call|
      refused "KV::Lookup.#{call}"
    end
  end

  def test_unbound_methods_never_become_handles
    @sandbox.define(:Leak).bind(:U, -> { String.instance_method(:upcase) })
    assert_equal "TypeError", @sandbox.eval(<<~RUBY)
      begin
        Leak::U.call
      rescue Kobako::ServiceError => e
        e.klass
      end
    RUBY
    assert_raises(TypeError) { @sandbox.run(:Nope, 1.method(:+)) }
  end

  def test_respond_to_guest_refusal_reads_like_a_missing_method_and_runs_nothing
    ran = []
    klass = Class.new do
      define_method(:open_door) do
        ran << :open
        :open
      end
      define_method(:admin_reset) do
        ran << :reset
        :reset
      end
      define_method(:make) { self }
      def respond_to_guest?(name) = name != :admin_reset
    end
    sandbox = Kobako::Sandbox.new
    sandbox.define(:Door).bind(:D, klass.new)
    messages = sandbox.eval(<<~RUBY)
      %w[admin_reset zz].map do |name|
        begin
          Door::D.public_send(name)
        rescue Kobako::ServiceError => e
          e.message.sub(name, "NAME")
        end
      end + [(begin; Door::D.make.admin_reset; rescue Kobako::ServiceError => e; e.class.to_s; end)]
    RUBY
    assert_equal messages[0], messages[1]
    assert_equal "Kobako::ServiceError", messages[2], "the rule holds for a Handle too"
    assert_empty ran
  end

  def test_the_guest_reaches_no_host_facility
    assert_equal [false] * 6,
                 @sandbox.eval("%i[File ENV Process Socket Dir Thread].map { |c| Object.const_defined?(c) }")
    assert_equal false, @sandbox.eval("IO.respond_to?(:popen)")
    %w[system("true") `true` exec("true") spawn("true") fork open("/etc/passwd") require("socket")].each do |call|
      assert_equal "refused",
                   @sandbox.eval("begin; #{call}; :ran; rescue NoMethodError, NotImplementedError, LoadError; 'refused'; end"), call
    end
    refute File.exist?(@marker)
  end

  # Within one invocation the floor remembers its verdicts; a change the
  # application makes between two calls must count from the next call on.
  def changed_mid_invocation(change)
    klass = Class.new do
      def greet = :hi
      define_method(:change, &change)
    end
    sandbox = Kobako::Sandbox.new
    sandbox.define(:Svc).bind(:O, klass.new)
    sandbox.eval(<<~RUBY)
      first = Svc::O.greet
      Svc::O.change
      second = begin; Svc::O.greet; rescue Kobako::ServiceError => e; e.message[/undefined method/]; end
      [first, second]
    RUBY
  end

  # A bound lambda's calling surface is judged at every call too (the
  # extension answers these calls itself).
  def test_a_lambda_narrowed_mid_invocation_is_refused_from_then_on
    sandbox = Kobako::Sandbox.new
    private_later = ->(x) { x }
    gated_later = ->(x) { x }
    sandbox.define(:Svc).bind(:Private, private_later).bind(:Gated, gated_later)
           .bind(:Narrow, lambda {
             private_later.singleton_class.send(:private, :call)
             gated_later.define_singleton_method(:respond_to_guest?) { |name| name != :call }
             true
           })
    result = sandbox.eval(<<~RUBY)
      refused = ->(&b) { b.call rescue "refused" }
      [Svc::Private.call(1), Svc::Gated.call(2), Svc::Narrow.call,
       refused.call { Svc::Private.call(3) }, refused.call { Svc::Gated.call(4) }, Svc::Gated[5]]
    RUBY
    assert_equal [1, 2, true, "refused", "refused", 5], result
  end

  def test_a_method_made_private_mid_invocation_is_refused_from_then_on
    assert_equal [:hi, "undefined method"], changed_mid_invocation(-> { singleton_class.send(:private, :greet) })
  end

  def test_a_method_given_a_builtin_body_mid_invocation_is_refused_from_then_on
    change = -> { singleton_class.send(:define_method, :greet, Kernel.instance_method(:frozen?)) }
    assert_equal [:hi, "undefined method"], changed_mid_invocation(change)
  end

  def test_a_module_mixed_into_a_builtin_mid_invocation_is_refused_from_then_on
    require "observer"
    app = Module.new { def shout = :loud }
    klass = Class.new do
      include Observable
      include app
      define_method(:change) { Observable.include(app) }
    end
    sandbox = Kobako::Sandbox.new
    sandbox.define(:Svc).bind(:O, klass.new)
    result = sandbox.eval(<<~RUBY)
      first = Svc::O.shout
      Svc::O.change
      [first, (Svc::O.shout rescue "refused")]
    RUBY
    assert_equal [:loud, "refused"], result
  end
end
