# frozen_string_literal: true

require_relative "test_helper"
require "tmpdir"
require "set"
require "ostruct"
require "delegate"
require "forwardable"

# Every family of escape the default-deny floor (SPEC §2) closes, tried for
# real: each attempt would write a marker file on the host if it got
# through, and each test also checks what must stay callable.
class FloorEscapeTest < Minitest::Test
  Account = Struct.new(:owner) do
    def balance = 100
  end

  # A collection the application wrote: #each is its own, #inject is not.
  class Ledger
    include Enumerable

    def initialize(*items) = @items = items
    def each(&) = @items.each(&)
    def total = @items.sum
  end

  module Greeting
    def greet = "hi #{name}"
  end

  class Person
    include Greeting
    include Comparable

    attr_reader :name

    def initialize(name) = @name = name
    def <=>(other) = name <=> other.name
  end

  # Lies about itself in every way Ruby lets an object lie.
  class Liar
    def ok = :ok
    def respond_to?(*) = true
    def respond_to_missing?(*) = true
    def method_missing(name, *args) = name == :run_code ? instance_eval(args[0]) : super
    def public_method(*) = Kernel.instance_method(:instance_eval).bind(self)
    def method(*) = public_method
    def class = Struct
    def is_a?(*) = false
  end

  class Renamer
    alias run_code instance_eval
    alias invoke send

    def plain = :plain
    alias also_plain plain
  end

  class Wrapper < SimpleDelegator
    def own = :own
  end

  class Forwarder
    extend Forwardable

    def_delegators :@items, :size, :inject

    def initialize = @items = [1, 2]
  end

  # Mixed into every object, as ActiveSupport's Object#try is.
  module EverywhereMixin
    def kobako_floor_test_evaluate(code) = instance_eval(code)
  end
  Object.include(EverywhereMixin)

  module EverywherePrepend
    def kobako_floor_test_prepended(code) = instance_eval(code)
  end
  Object.prepend(EverywherePrepend)

  module Tools
    def self.version = 3
    def self.evaluate(code) = code.length
  end

  module Extension
    def extended_ok = :extended
  end

  class Gatekeeper
    def open_door = :open
    def admin = :admin

    private

    def respond_to_guest?(name) = name == :open_door
  end

  def setup
    @dir = Dir.mktmpdir("kobako-escape")
    @marker = File.join(@dir, "pwned")
    @payload = "File.write(#{@marker.dump}, 'x')"
    @sandbox = Kobako::Sandbox.new
  end

  def teardown
    FileUtils.rm_rf(@dir)
  end

  def bind(**objects)
    ns = @sandbox.define(:T)
    objects.each { |name, object| ns.bind(name, object) }
  end

  # Runs +code+ in the guest; it must be refused like a missing method and
  # must not have written the marker.
  def refused(code)
    outcome = @sandbox.eval(<<~RUBY)
      begin
        #{code}
        :reached
      rescue Kobako::ServiceError => e
        e.message
      end
    RUBY
    refute File.exist?(@marker), "#{code} ran on the host"
    assert_match(/\Aundefined method '[^']+' for (service T::\w+|Kobako::Handle)\z/, outcome.to_s, code)
  end

  def test_inject_on_a_struct_handle_the_readme_example
    bind(Open: ->(owner) { Account.new(owner) })
    refused %{T::Open.call(#{@payload.dump}).inject("", :instance_eval)}
    refused %{T::Open.call("x").reduce("", :instance_eval)}
    refused %(T::Open.call("x").to_a)
    refused %(T::Open.call("x").each_pair)
    refused %(T::Open.call("x").members)
    assert_equal ["amy", 100], @sandbox.eval(%(o = T::Open.call("amy"); [o.owner, o.balance]))
    assert_equal "bo", @sandbox.eval(%(o = T::Open.call("amy"); o.owner = "bo"; o.owner))
  end

  def test_inject_on_bound_core_collections
    bind(H: { @payload => 1 }, A: [@payload], S: Set[@payload], R: (1..2))
    refused %{T::H.each_key.inject("", :instance_eval)}
    refused %(T::H.keys)
    refused %{T::A.each.inject("", :instance_eval)}
    refused %(T::A.first)
    refused %{T::S.each.inject("", :instance_eval)}
    refused %(T::S.to_a)
    refused %{T::R.each_slice(1)}
  end

  def test_enumerable_objects_of_the_application
    bind(L: Ledger.new(1, 2))
    refused %{T::L.inject("", :instance_eval)}
    refused %(T::L.to_a)
    refused %{T::L.each_slice(1)}
    assert_equal 3, @sandbox.eval("T::L.total")
  end

  def test_run_arguments_travel_under_the_same_floor
    @sandbox.preload(code: <<~RUBY, name: :Entry)
      Entry = ->(obj, payload) do
        begin
          obj.inject("", :instance_eval)
          :reached
        rescue Kobako::ServiceError => e
          e.message
        end
      end
      Owner = ->(obj) { obj.owner }
    RUBY
    assert_match(/undefined method 'inject'/, @sandbox.run(:Entry, Account.new(@payload), @payload))
    refute File.exist?(@marker)
    assert_match(/undefined method 'inject'/, @sandbox.run(:Entry, Ledger.new(@payload), @payload))
    assert_equal "zed", @sandbox.run(:Owner, Account.new("zed"))
  end

  def test_open_struct_and_its_bang_aliases
    bind(O: OpenStruct.new(field: 1)) # rubocop:disable Style/OpenStructUse -- the escape family under test
    refused %{T::O.instance_eval!(#{@payload.dump})}
    refused %{T::O.send!(:instance_eval, #{@payload.dump})}
    refused %{T::O.dig(:field)}
    refused %(T::O.each_pair)
    refused %(T::O.field)
    refused %(T::O[:field])
  end

  def test_kernel_and_module_functions
    bind(K: Kernel, P: Process, M: Module, C: Class, Obj: Object, Str: String)
    refused %{T::K.eval(#{@payload.dump})}
    refused %{T::K.system("touch", #{@marker.dump})}
    refused %{T::K.open(#{@marker.dump}, "w")}
    refused %{T::P.spawn("touch", #{@marker.dump})}
    refused %(T::P.pid)
    refused %(T::M.new)
    refused %(T::C.new)
    refused %(T::Obj.new)
    refused %(T::Str.new)
    refused %{T::Obj.const_get(:File)}
  end

  def test_mixins_into_object_belong_to_everyone
    bind(P: Person.new("amy"))
    refused %{T::P.kobako_floor_test_evaluate(#{@payload.dump})}
    refused %{T::P.kobako_floor_test_prepended(#{@payload.dump})}
    refused %{T::P.try(:instance_eval, #{@payload.dump})}
    refused %{T::P.clamp(1, 2)}
    refused %{T::P.between?(1, 2)}
    assert_equal ["hi amy", "amy"], @sandbox.eval("[T::P.greet, T::P.name]")
  end

  def test_delegators_forward_nothing
    bind(W: Wrapper.new([@payload]), F: Forwarder.new)
    refused %{T::W.inject("", :instance_eval)}
    refused %(T::W.__getobj__)
    refused %{T::W.__setobj__(1)}
    refused %(T::W.first)
    refused %{T::W.method_missing(:inject, "", :instance_eval)}
    refused %{T::F.inject("", :instance_eval)}
    refused %(T::F.size)
    assert_equal :own, @sandbox.eval("T::W.own")
  end

  def test_objects_that_lie_about_themselves
    bind(L: Liar.new)
    refused %{T::L.run_code(#{@payload.dump})}
    refused %{T::L.public_method(:x)}
    refused %{T::L.method_missing(:run_code, #{@payload.dump})}
    assert_equal :ok, @sandbox.eval("T::L.ok")
  end

  def test_aliases_of_builtin_methods_are_refused
    bind(R: Renamer.new)
    refused %{T::R.run_code(#{@payload.dump})}
    refused %{T::R.invoke(:instance_eval, #{@payload.dump})}
    assert_equal %i[plain plain], @sandbox.eval("[T::R.plain, T::R.also_plain]")
  end

  def test_bound_modules_expose_their_own_methods_only
    object = Object.new.extend(Extension)
    bind(Tools: Tools, X: object)
    assert_equal [3, 5], @sandbox.eval('[T::Tools.version, T::Tools.evaluate("12345")]')
    assert_equal :extended, @sandbox.eval("T::X.extended_ok")
    refused %{T::Tools.module_eval(#{@payload.dump})}
    refused %(T::Tools.name)
    refused %{T::X.extend(1)}
  end

  def test_private_respond_to_guest_has_the_last_word
    bind(G: Gatekeeper.new)
    assert_equal :open, @sandbox.eval("T::G.open_door")
    refused %(T::G.admin)
    refused %{T::G.respond_to_guest?(:admin)}
  end

  class ProtectedGatekeeper < Gatekeeper
    protected :respond_to_guest?
  end

  # A protected respond_to_guest? is the application's word too.
  def test_protected_respond_to_guest_has_the_last_word
    bind(G: ProtectedGatekeeper.new)
    assert_equal :open, @sandbox.eval("T::G.open_door")
    refused %(T::G.admin)
  end

  def test_lambdas_keep_their_calling_surface
    bind(L: ->(x) { x * 2 })
    assert_equal [4, 6, 8, 1, true], @sandbox.eval("[T::L.call(2), T::L[3], T::L.yield(4), T::L.arity, T::L.lambda?]")
    refused %(T::L.curry)
  end

  # Found by review: core objects whose methods live in C or in RubyGems.
  def test_core_objects_with_singleton_methods
    bind(Env: ENV, Argf: ARGF, Gems: Gem, Spec: Gem::Specification)
    refused %(T::Env["PATH"])
    refused %(T::Env["PATH"] = "/tmp")
    refused %(T::Env.to_h)
    refused %(T::Argf.read)
    refused %(T::Gems.paths)
    refused %(T::Spec.dirs)
  end

  class CoreBodies
    define_method(:run_system, Kernel.instance_method(:system))
    define_method(:system, Kernel.instance_method(:system))

    def initialize = @api_key = "sk-SECRET"
    alias original_inspect inspect
    def inspect = "#<CoreBodies>"
    def own = :own
  end

  def test_builtin_bodies_under_application_names
    bind(C: CoreBodies.new)
    refused %{T::C.system("touch", #{@marker.dump})}
    refused %{T::C.run_system("touch", #{@marker.dump})}
    refused %(T::C.original_inspect)
    assert_equal :own, @sandbox.eval("T::C.own")
  end

  module PrivateGate
    private def respond_to_guest?(name) = name != :secret
  end

  def test_what_an_object_narrows_for_itself_counts
    gated = Gatekeeper.new.extend(PrivateGate)
    hidden = Object.new.tap { |o| def o.secret = :s }.tap { |o| o.singleton_class.send(:private, :secret) }
    removed = Class.new { def secret = :s }.new.tap { |o| o.singleton_class.send(:undef_method, :secret) }
    narrowed = Class.new { def secret = :s }.new.extend(PrivateGate)
    bind(G: gated, H: hidden, R: removed, N: narrowed)
    refused %(T::H.secret)
    refused %(T::R.secret)
    refused %(T::N.secret)
    assert_equal :open, @sandbox.eval("T::G.open_door")
  end

  def test_a_bound_struct_class_cannot_make_structs
    bind(S: Account)
    refused %(T::S.new("x"))
    refused %(T::S["x"])
    refused %(T::S.members)
  end
end
