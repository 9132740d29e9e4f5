# frozen_string_literal: true

require "rbconfig"

module Kobako
  # Which modules and methods belong to Ruby itself (core, the standard
  # library, default and bundled gems) rather than to the application: the
  # line the reflection floor draws (SPEC §2, rule 2).
  #
  # A named module is Ruby's when its constant is defined in C (core, and
  # C extensions, which are refused too: default-deny) or in a file under
  # Ruby's own library directories. A method is Ruby's when its source is
  # there, whatever module it was defined into (OpenStruct's field
  # accessors, Forwardable's generated delegators).
  module Builtins
    LIBRARY_DIRS = [
      RbConfig::CONFIG["rubylibdir"], RbConfig::CONFIG["rubyarchdir"],
      RbConfig::CONFIG["vendordir"], RbConfig::CONFIG["vendorlibdir"], RbConfig::CONFIG["vendorarchdir"],
      File.join(RbConfig::CONFIG["rubylibprefix"], "gems", RbConfig::CONFIG["ruby_version"]),
      (Gem.default_dir if defined?(Gem)),
      # RubyGems itself, wherever the distribution put it (Debian: vendor_ruby).
      (File.dirname(Gem::Specification.instance_method(:name).source_location[0], 2) if defined?(Gem::Specification))
    ].compact.uniq.map { |dir| File.join(File.expand_path(dir), "") }.freeze

    NAME = Module.instance_method(:name)
    SINGLETON = Kernel.instance_method(:singleton_class)
    ANCESTORS = Module.instance_method(:ancestors)
    INSTANCE_METHODS = Module.instance_method(:instance_methods)
    PRIVATE_INSTANCE_METHODS = Module.instance_method(:private_instance_methods)
    INSTANCE_METHOD = Module.instance_method(:instance_method)
    IS_A = Kernel.instance_method(:is_a?)
    SINGLETON_CLASS = Module.instance_method(:singleton_class?)
    private_constant :NAME, :SINGLETON, :ANCESTORS, :INSTANCE_METHODS, :PRIVATE_INSTANCE_METHODS,
                     :INSTANCE_METHOD, :IS_A, :SINGLETON_CLASS

    # Verdicts per module; weak, so anonymous classes made per call do not
    # pile up.
    @verdicts = ObjectSpace::WeakMap.new

    module_function

    # Whether +mod+, an ancestor of a method table, is Ruby's. +attached+
    # maps the singleton classes in that table's ancestry to the modules
    # they belong to.
    def module?(mod, attached = {})
      return module?(attached[mod]) if attached.key?(mod)
      return false if SINGLETON_CLASS.bind_call(mod) # of a plain object: judged per method

      verdict = @verdicts[mod]
      return verdict unless verdict.nil?

      @verdicts[mod] = judge(mod)
    end

    # Whether +method+ (an UnboundMethod) was written in Ruby's own files.
    def method?(method)
      library_path?(method.source_location)
    end

    # For a bound Module or Class: its singleton class and those of its
    # ancestors, each mapped to the module it belongs to.
    def singleton_owners(mod)
      ANCESTORS.bind_call(mod).select { |m| IS_A.bind_call(m, Class) || m.equal?(mod) }
               .to_h { |m| [SINGLETON.bind_call(m), m] }
    end

    # A name that cannot be looked up again (a class in an anonymous
    # namespace, ARGF.class) is judged as an anonymous module is; methods
    # written in C are refused on their own anyway (ReflectionFloor).
    def judge(mod)
      name = NAME.bind_call(mod)
      return anonymous_builtin?(mod) unless name

      location = Object.const_source_location(name)
      location.nil? || location.empty? || library_path?(location)
    rescue NameError
      anonymous_builtin?(mod)
    end

    # An anonymous module is Ruby's when any of its methods comes from
    # Ruby's files (Delegator's copy of Kernel, say).
    def anonymous_builtin?(mod)
      (INSTANCE_METHODS.bind_call(mod, false) + PRIVATE_INSTANCE_METHODS.bind_call(mod, false)).any? do |name|
        method?(INSTANCE_METHOD.bind_call(mod, name))
      end
    end

    def library_path?(location)
      return false unless location

      path, line = location
      # <internal:kernel>; <main>:0 and ruby:0 are constants Ruby set up at boot.
      return true if path.start_with?("<internal:") || (%w[<main> ruby].include?(path) && line.zero?)

      path = File.expand_path(path)
      LIBRARY_DIRS.any? { |dir| path.start_with?(dir) }
    end
  end
  private_constant :Builtins
end
