# frozen_string_literal: true

module Kobako
  # The host side of a capability Handle: stands for a host object the guest
  # holds during one invocation. The guest sees an opaque proxy; method calls
  # on it come back as service calls under the same reflection floor.
  class Handle
    # @return [Integer] the id within its invocation's handle table
    attr_reader :id

    def initialize(id)
      @id = id
      freeze
    end

    def ==(other)
      other.is_a?(Handle) && other.id == id
    end
    alias eql? ==

    def hash = [Handle, id].hash

    def inspect = "#<Kobako::Handle #{id}>"
  end

  # The name kobako 0.3 used.
  module RPC
    Handle = Kobako::Handle
  end
end
