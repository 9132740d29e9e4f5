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

  def tables
    object = Parent.new.extend(Mixed)
    object.singleton_class.send(:private, :open)
    [Parent, Child, Mixed, Parent.singleton_class, Mixed.singleton_class, object.singleton_class,
     ->(x) { x }.singleton_class, Integer, BasicObject, Kernel]
  end

  def test_public_method_matches_public_method_defined
    tables.product(NAMES).each do |table, name|
      assert_equal table.public_method_defined?(name), REFLECTION.public_method?(table, name), "#{table} #{name}"
    end
  end

  def test_any_method_matches_any_visibility
    tables.product(NAMES).each do |table, name|
      expected = table.method_defined?(name) || table.private_method_defined?(name)
      assert_equal expected, REFLECTION.any_method?(table, name), "#{table} #{name}"
    end
  end

  # A Symbol that is no method's name (a dynamic one) names no method.
  def test_a_symbol_no_method_has_is_no_method
    name = :"never_a_method_#{rand(1 << 60)}"
    refute REFLECTION.public_method?(Parent, name)
    refute REFLECTION.any_method?(Parent, name)
  end

  class Liar
    def is_a?(*) = true
    def kind_of?(*) = true
    def class = Proc
  end

  def test_callable_asks_the_real_class
    [-> { 1 }, proc { 1 }, 1.method(:+), Class.new(Proc).new { 1 }].each { |o| assert REFLECTION.callable?(o), o.inspect }
    [Integer.instance_method(:+), Liar.new, Object.new, nil, 1].each { |o| refute REFLECTION.callable?(o), o.inspect }
  end

  def test_tables_must_be_classes_or_modules
    assert_raises(TypeError) { REFLECTION.public_method?(Parent.new, :open) }
    assert_raises(TypeError) { REFLECTION.any_method?(1, :open) }
    assert_raises(TypeError) { REFLECTION.public_method?(Parent, "open") }
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
end
