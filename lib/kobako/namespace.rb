# frozen_string_literal: true

module Kobako
  # A namespace of services in a sandbox, made by Sandbox#define. In the
  # guest it is a module whose constants are the bound members.
  class Namespace
    # @return [Symbol]
    attr_reader :name

    def initialize(sandbox, name)
      @sandbox = sandbox
      @name = name
    end

    # Binds +object+ as +Name::member+. The guest may then call any public
    # method the object itself defines (never Ruby's reflection methods; see
    # Kobako::ReflectionFloor); +respond_to_guest?(name)+, if the object
    # defines it, narrows that further.
    #
    # @param member [Symbol, String] matches /\A[A-Z]\w*\z/
    # @return [self]
    # @raise [ArgumentError] for a bad name, or after the first invocation
    def bind(member, object)
      @sandbox.__send__(:bind_service, name, member, object)
      self
    end
  end
end
