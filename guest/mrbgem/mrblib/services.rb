# frozen_string_literal: true

# The guest's view of host services and Handles: proxies whose every method
# call is a call to the host (Proxy#method_missing, in src/services.c).
module Kobako
  # A host service or Handle raised; #klass is the host exception's class.
  class ServiceError < StandardError
    def klass
      @__kobako_details && @__kobako_details["klass"]
    end

    # The Handle is stale (from another invocation) or forged.
    class Disconnected < ServiceError; end
  end

  # Forwards every method call to the host object it stands for: its
  # method_missing is the glue's (src/services.c).
  class Proxy < BasicObject
    def respond_to_missing?(_name, _include_private = false)
      true
    end
  end

  # A bound service, Ns::Member.
  class Service < Proxy
    def initialize(names)
      @__kobako_target = names
    end

    def inspect
      "#<Kobako::Service #{@__kobako_target.join("::")}>"
    end
  end

  # An opaque reference to a host object, valid during this invocation. Only
  # the glue makes them (see src/services.c): no new, no allocate.
  class Handle < Proxy
    def inspect
      "#<Kobako::Handle>"
    end
  end

  # Defines Ns::Member for every bound service: [[ns, [member, ...]], ...].
  def self.__define_services(namespaces)
    $__kobako_services = namespaces
    namespaces.each do |ns, members|
      mod = Object.const_defined?(ns) ? Object.const_get(ns) : Object.const_set(ns, Module.new)
      members.each { |member| mod.const_set(member, Service.new([ns, member])) }
    end
    nil
  end
end
