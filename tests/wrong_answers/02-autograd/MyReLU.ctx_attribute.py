# Stores the input as ctx.x instead of ctx.save_for_backward: in-place changes before backward go unnoticed.
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * (ctx.x > 0).to(grad_output.dtype)
