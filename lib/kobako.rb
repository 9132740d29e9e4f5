# frozen_string_literal: true

# Runs untrusted Ruby in an in-process WebAssembly sandbox: an mruby guest,
# compiled ahead of time, on Wasmer's headless engine.
module Kobako
  # Where the compiled guest and its manifest live. Override with
  # KOBAKO_ARTIFACTS_DIR.
  def self.artifacts_dir
    ENV.fetch("KOBAKO_ARTIFACTS_DIR") { File.expand_path("../artifacts", __dir__) }
  end
end

# The native extension next, so the artifact starts loading (below)
# before anything else: a build for this Ruby's minor version if present
# (how platform gems ship), else the one `bin/setup` built. Asked of the
# file system, not by rescuing a LoadError (which cost 0.07 ms here).
minor = RUBY_VERSION[/\A\d+\.\d+/]
if File.directory?(File.join(__dir__, "kobako", minor))
  require_relative "kobako/#{minor}/kobako"
else
  require_relative "kobako/kobako"
end

# Check and load the artifact on a background thread while the rest of the
# library loads: the first Sandbox then finds it ready. KOBAKO_PREPARE=0
# leaves it to the first Sandbox.new.
Kobako::Native.prepare(Kobako.artifacts_dir) unless ENV["KOBAKO_PREPARE"] == "0"

# The library, from the bytecode the gem's build compiled where that is
# current (see Kobako::Bytecode).
require_relative "kobako/bytecode"
%w[version errors handle fiber_guard thread_raises dispatcher namespace sandbox compiler].each do |part|
  Kobako::Bytecode.require_part(part)
end

# Loaded when first needed (a service call, an error to describe), not at
# require: cold start pays only for what the first eval uses.
module Kobako
  autoload :ReflectionFloor, File.expand_path("kobako/reflection_floor", __dir__)
  autoload :ErrorText, File.expand_path("kobako/error_text", __dir__)
end
