# frozen_string_literal: true

require_relative "test_helper"

# The questions the reflection floor asks of Ruby's C API on every guest
# call (ext/kobako/src/reflection.rs) must answer exactly what Module's own
# methods answer, for every kind of method entry.
class NativeReflectionTest < Minitest::Test
  REFLECTION = Kobako::Native::Reflection

  class Parent
    def open = :open
    def hidden_later = :h
    def made_public_below = :p
    protected def guarded = :g
    private def secret = :s
    private_class_method def self.factory = new
  end

  class Child < Parent
    public :secret # a public entry of its own over a private one
    private :made_public_below # the reverse
    undef_method :open
    def hidden_later = :child
    remove_method :hidden_later # Parent's again
  end

  module Mixed
    def mixed = :m
    module_function def helper = :h
  end

  module Refining
    refine Parent do
      def open = :refined
      def refined_only = :r
    end
  end

  NAMES = %i[open hidden_later made_public_below guarded secret factory new mixed helper refined_only
             call to_s initialize respond_to? method_missing].freeze

  class Gated
    protected def respond_to_guest?(_name) = true
  end

  # Objects with and without singleton classes of their own, modules,
  # classes, callables, immediates, and one that lies about itself.
  def objects
    extended = Parent.new.extend(Mixed)
    narrowed = Parent.new.tap { |o| o.singleton_class.send(:private, :open) }
    [Parent.new, Child.new, extended, narrowed, Mixed, Parent, Child, Gated.new, ->(x) { x }, proc { 1 },
     1.method(:+), Class.new(Proc).new { 1 }, Integer.instance_method(:+), Liar.new, 1, 2**70, 1.5, :sym,
     nil, true, "text", BasicObject.new]
  end

  class Liar
    def is_a?(*) = true
    def kind_of?(*) = true
    def class = Proc
    def respond_to_guest?(*) = true
    def public_method_defined?(*) = true
  end

  def method_table(object)
    Kernel.instance_method(:singleton_class).bind_call(object)
  rescue TypeError
    Kernel.instance_method(:class).bind_call(object)
  end

  # Each fact is what Module's own methods answer, asked of the class the
  # object's methods are looked up in (made here only after asking, so
  # the objects without a singleton class are asked without one).
  def test_facts_match_what_module_methods_answer
    objects.each do |object|
      NAMES.each do |name|
        facts = REFLECTION.facts(object, name)
        table = method_table(object)
        label = "#{Kernel.instance_method(:inspect).bind_call(object)} #{name}"
        assert_equal table.public_method_defined?(name), facts.allbits?(REFLECTION::PUBLIC), label
        callable = [Proc, Method].any? { |klass| Module.instance_method(:===).bind_call(klass, object) }
        assert_equal callable, facts.allbits?(REFLECTION::CALLABLE), label
        gated = table.method_defined?(:respond_to_guest?) || table.private_method_defined?(:respond_to_guest?)
        assert_equal gated, facts.allbits?(REFLECTION::GATED), label
      end
    end
  end

  # A Symbol that is no method's name (a dynamic one) names no method.
  def test_a_symbol_no_method_has_is_no_method
    name = :"never_a_method_#{rand(1 << 60)}"
    assert_equal 0, REFLECTION.facts(Parent.new, name)
    assert_raises(TypeError) { REFLECTION.facts(Parent.new, "open") }
  end

  class Target
    def add(left, right, scale: 1) = (left + right) * scale
    def fail = raise(ArgumentError, "no")
    def leave = throw(:out, :thrown)
    private def secret = :s
    def public_send(*) = :lied
  end

  def test_call_public_makes_a_public_call_without_asking_the_object
    target = Target.new
    assert_equal 3, REFLECTION.call_public(target, :add, [1, 2], nil)
    assert_equal 9, REFLECTION.call_public(target, :add, [1, 2], { scale: 3 })
    assert_raises(NoMethodError) { REFLECTION.call_public(target, :secret, [], nil) }
    assert_raises(ArgumentError) { REFLECTION.call_public(target, :add, [1], nil) }
    error = assert_raises(ArgumentError) { REFLECTION.call_public(target, :fail, [], nil) }
    assert_equal "no", error.message
    assert_equal :thrown, catch(:out) { REFLECTION.call_public(target, :leave, [], nil) }
  end

  # What the extension calls without Ruby's dispatcher
  # (ext/kobako/src/direct_call.rs) the floor allows too, and it is not
  # nothing: a plain lambda's and Method's calling surface.
  def test_the_plain_calling_surface_is_one_the_floor_allows
    floor = Kobako::ReflectionFloor # loaded: the extension reads its calling surface
    gated = ->(x) { x }.tap { |l| l.define_singleton_method(:respond_to_guest?) { |_| true } }
    narrowed = ->(x) { x }.tap { |l| l.singleton_class.send(:private, :call) }
    names = NAMES + %i[[] yield arity lambda? instance_eval send __send__ curry to_proc parameters]
    (objects + [gated, narrowed, Class.new(Proc) { public def instance_eval(*) = 1 }.new { 1 }]).each do |object|
      names.each do |name|
        next unless REFLECTION.plain_calling_surface?(object, name)

        assert_equal name, floor.resolve(object, name), "#{object.inspect} #{name}"
      end
    end
    assert REFLECTION.plain_calling_surface?(->(x) { x }, :call)
    assert REFLECTION.plain_calling_surface?(1.method(:+), :[])
    refute REFLECTION.plain_calling_surface?(gated, :call)
    refute REFLECTION.plain_calling_surface?(narrowed, :call)
  end
end
