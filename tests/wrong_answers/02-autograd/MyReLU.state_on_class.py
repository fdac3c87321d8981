# Keeps the input on the class instead of ctx: a second use before backward overwrites the first one's input.
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        MyReLU.saved_input = x
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * (MyReLU.saved_input > 0).to(grad_output.dtype)
