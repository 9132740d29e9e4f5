# frozen_string_literal: true

module Kobako
  # kobako's own Ruby files, compiled to Ruby bytecode when the gem is built
  # (bin/setup; ext/kobako/extconf.rb during `gem install`), so that
  # `require "kobako"` does not compile them in every process: compiling
  # lib/kobako/ took most of `require` (1.7 ms of a 5 ms cold start against
  # 0.3 ms to load the bytecode, on the project's machine).
  #
  # A file loads from its bytecode only when that bytecode was compiled by
  # this very Ruby from the file's current path and its exact current
  # source (kept beside the bytecode and compared byte for byte); otherwise,
  # and on any Ruby without RubyVM::InstructionSequence, from source as
  # usual. Editing a file therefore never runs stale code.
  module Bytecode
    @loaded = []

    # The files that came from bytecode in this process (for tests).
    def self.loaded = @loaded.dup

    # Where the bytecode of this Ruby lives.
    def self.dir
      File.join(__dir__, "bytecode", "#{RUBY_ENGINE}-#{RUBY_VERSION}-#{RUBY_PLATFORM}")
    end

    # Requires lib/kobako/+name+.rb, from its bytecode if that is current.
    # A file loaded from bytecode is not added to $LOADED_FEATURES: any
    # change to that list outside `require` makes Ruby rebuild its index of
    # every loaded feature at the next `require` (0.7 ms here, more in a
    # large application). This method loads each file once.
    def self.require_part(name)
      return false if @loaded.include?(name)

      path = File.join(__dir__, "#{name}.rb")
      iseq = current(path, File.join(dir, "#{name}.bin"))
      return require(path) unless iseq

      iseq.eval
      @loaded << name
      true
    end

    # Compiles every file of lib/kobako/ for this Ruby; returns their names.
    def self.write
      require "fileutils"
      FileUtils.mkdir_p(dir)
      Dir[File.join(__dir__, "*.rb")].map do |path|
        source = File.binread(path)
        binary = RubyVM::InstructionSequence.compile_file(path).to_binary(source)
        name = File.basename(path, ".rb")
        File.binwrite(File.join(dir, "#{name}.bin"), binary)
        name
      end
    end

    def self.current(path, bytecode)
      return unless defined?(RubyVM::InstructionSequence.load_from_binary) && File.file?(bytecode)

      binary = File.binread(bytecode)
      return unless RubyVM::InstructionSequence.load_from_binary_extra_data(binary) == File.binread(path)

      iseq = RubyVM::InstructionSequence.load_from_binary(binary)
      iseq if iseq.absolute_path == path
    rescue StandardError
      # Another Ruby's format, a damaged file: the source is always there.
      nil
    end
    private_class_method :current
  end
end
